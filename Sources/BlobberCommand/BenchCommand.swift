import ArgumentParser
import Blobber
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure commit latency at 1k and 100k files, and upload throughput.")

    @Option(help: "File counts to measure commit latency at.") var files: [Int] = [1_000, 100_000]
    @Option(help: "Commits measured at each file count.") var commits: Int = 50
    @Option(help: "MiB streamed through the upload path.") var uploadMiB: Int = 512
    @Flag(help: "JSON lines {\"name\",\"value\",\"unit\"}.") var json = false

    func run() async throws {
        let results = try await BlobberBench.run(fileCounts: files, commits: commits, uploadMiB: uploadMiB)
        for result in results {
            if json {
                let line = try JSONSerialization.data(
                    withJSONObject: ["name": result.name, "value": result.value, "unit": result.unit], options: [.sortedKeys])
                print(String(decoding: line, as: UTF8.self))
            } else {
                print("\(result.name): \(String(format: "%.3f", result.value)) \(result.unit)")
            }
        }
    }
}
