import ArgumentParser

@main
struct Blob: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob",
        abstract: "Store files on a network of blobbers.",
        discussion: """
            The wallet and settings live in --home, else $BLOB_HOME, else ~/.blob. The ledger address given \
            once with --ledger is remembered, and so is the allocation made last (the default for --alloc).
            """,
        subcommands: [
            WalletCommand.self, AllocCommand.self, UploadCommand.self, DownloadCommand.self, ListCommand.self,
            RemoveCommand.self, MoveCommand.self, ShareCommand.self, StatusCommand.self, RepairCommand.self, CheckCommand.self, MonitorCommand.self,
            BenchCommand.self,
        ])
}
