import ArgumentParser
import Foundation
import Bench

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure chain verification and replay (run a release build).")

    @Option(help: "Markers per chain.") var markers: Int = 10_000
    @Option(help: "Chains submitted (each on its own allocation); the best is reported.") var rounds: Int = 3
    @Flag(help: "JSON lines {\"name\",\"value\",\"unit\"}.") var json = false

    func validate() throws {
        guard markers > 0, rounds > 0 else { throw ValidationError("--markers and --rounds must be positive") }
    }

    func run() async throws {
        let figures = try LedgerBench.run(markers: markers, rounds: rounds)
        let lines: [(String, Double, String)] = [
            ("chain_verify", figures.chainVerify, "markers/s"),
            ("replay", figures.replay, "markers/s"),
            ("replay_time", figures.replaySeconds, "s"),
            ("raw_verify_1core", figures.rawVerifyOneCore, "verifications/s"),
            ("raw_verify_all_cores", figures.rawVerifyAllCores, "verifications/s"),
            ("cores", Double(figures.cores), "cores"),
            // The goals of issue 14 as ratios to the floor of the same run.
            ("chain_verify_vs_raw_1core", figures.chainVerify / max(1, figures.rawVerifyOneCore), "ratio"),
            ("chain_verify_per_core_vs_raw", figures.chainVerify / Double(max(1, figures.cores)) / max(1, figures.rawVerifyOneCore), "ratio"),
            ("replay_vs_raw_1core", figures.replay / max(1, figures.rawVerifyOneCore), "ratio"),
        ]
        for (name, value, unit) in lines {
            if json {
                let object: [String: Any] = ["name": name, "value": value, "unit": unit]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("\(name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(String(format: unit == "ratio" ? "%.2f" : "%.0f", value)) \(unit)")
            }
        }
    }
}
