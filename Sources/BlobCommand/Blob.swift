import ArgumentParser

@main
struct Blob: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob",
        abstract: "Store files on a network of blobbers.",
        subcommands: [BenchCommand.self])
}
