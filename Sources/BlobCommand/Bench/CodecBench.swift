import ArgumentParser
import Bench

/// `blob bench codec`: the per-core speed of every primitive on the data path, each next to the raw
/// library figure it is held against (measured by `Bench.CodecMeasurements`).
struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Measure erasure coding, hashing, the allocation trie, signatures and encryption on one core.")

    @Flag(help: "Print one JSON object per line.")
    var json = false

    @Option(help: "Seconds to spend on each measurement.")
    var seconds: Double = 1.5

    func validate() throws {
        guard seconds > 0, seconds <= 60 else { throw ValidationError("--seconds must be in (0, 60]") }
    }

    func run() throws {
        for measurement in CodecMeasurements(seconds: seconds).all {
            let result = measurement()
            print(result.printed(json: json))
        }
    }
}
