import ArgumentParser
import StorageProtocol

@main
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Run and audit the ledger.",
        version: ProjectVersion.string,
        subcommands: [ServeCommand.self, VerifyCommand.self, ShowCommand.self, BenchCommand.self])
}

/// `--data DIR`, shared by the subcommands that open a ledger.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "Folder holding ledger.sqlite and ledger-key.json.")
    var directory: String
}
