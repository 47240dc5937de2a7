import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the system's speed; release builds only give meaningful figures.",
        subcommands: [CodecBench.self, UploadBench.self])
}
