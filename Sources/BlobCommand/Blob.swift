import ArgumentParser
import Foundation
import StorageProtocol

@main
struct Blob: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob",
        abstract: "Store files on a network of blobbers.",
        discussion: """
            The wallet and settings live in --home, else $BLOB_HOME, else ~/.blob. The ledger address given \
            once with --ledger is remembered, and so is the allocation made last (the default for --alloc). \
            Options every command takes (--home, --ledger, --lock-wait, --json) may come before or after it.
            """,
        version: ProjectVersion.string,
        subcommands: [
            WalletCommand.self, AllocCommand.self, UploadCommand.self, DownloadCommand.self, ListCommand.self,
            StatCommand.self, RemoveCommand.self, MoveCommand.self, CopyCommand.self, MakeDirectoryCommand.self,
            SyncCommand.self, ShareCommand.self, StatusCommand.self, RepairCommand.self, CheckCommand.self,
            MonitorCommand.self, MountCommand.self, UnmountCommand.self, BenchCommand.self,
        ])

    /// Arranges the command line (`Arguments`), suggests a subcommand for a mistyped one, then parses
    /// and runs as swift-argument-parser does.
    static func main() async {
        let arguments = Arguments.arranged(Array(CommandLine.arguments.dropFirst()))
        let commands = configuration.subcommands.compactMap { $0.configuration.commandName }
        if let mistyped = Arguments.suggestion(for: arguments, commands: commands) {
            FileHandle.standardError.write(
                Data(
                    "error: unknown command '\(mistyped.typed)'; did you mean `\(mistyped.meant)`? (`blob --help` lists them)\n"
                        .utf8))
            exit(withError: ExitCode(64))
        }
        await main(arguments)
    }
}
