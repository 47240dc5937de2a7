import ArgumentParser
import Client
import Foundation
import StorageProtocol

struct RepairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Rebuild, block by block from k good blobbers, only what blobbers that are behind or wrong lack.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?

    func run() async throws {
        try await runCommand(
            options,
            text: { (report: Repairer.Report) in
                var lines: [String] = report.undone.map { "shard \($0): rolled back over its latest commit" }
                for (index, outcome) in report.repaired.sorted(by: { $0.key < $1.key }) {
                    if let error = outcome.error {
                        lines.append("shard \(index): repair failed: \(error)")
                    } else {
                        lines.append(
                            "shard \(index): rebuilt \(outcome.rebuiltFiles.count) file(s) (\(Sizes.format(bytes: outcome.rebuiltBytes))), deleted \(outcome.deletedFiles.count)"
                        )
                    }
                }
                for index in report.unreachable { lines.append("shard \(index): unreachable, not repaired") }
                return lines.isEmpty
                    ? "every reachable blobber agrees; nothing to repair" : lines.joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            try await context.client(alloc).repair()
        }
    }
}
