import ArgumentParser

@main
struct BlobberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blobber",
        abstract: "Run a storage node.",
        subcommands: [InitCommand.self, ServeCommand.self, BenchCommand.self])
}
