import ArgumentParser
import StorageProtocol

@main
struct BlobberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blobber",
        abstract: "Run a storage node.",
        version: ProjectVersion.string,
        subcommands: [InitCommand.self, ServeCommand.self, BenchCommand.self])
}
