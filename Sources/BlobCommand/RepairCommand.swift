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
    @Flag(help: "Also read every block of every shard with its proof and rebuild the damaged shards.")
    var verify = false

    func run() async throws {
        try await runCommand(
            options,
            text: { (report: Repairer.Report) in
                var lines: [String] = report.undone.map { "shard \($0): rolled back over its latest commit" }
                for finding in report.damaged {
                    lines.append(
                        "shard \(finding.shardIndex): \(finding.path) damaged in \(finding.damagedBlocks.count) block(s): "
                            + (finding.problem ?? ""))
                }
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
            try await context.client(alloc).repair(verify: verify)
        }
    }
}

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Which blobbers hold a file at the agreed version; with --verify, every block checked against its proof.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Flag(help: "Read every block of every blobber's shard and check it against its proof.") var verify = false
    @Argument(help: "The remote file.") var path: String

    func run() async throws {
        try await runCommand(
            options,
            text: { (check: FileCheck) in
                var lines = [
                    "\(check.path): \(Sizes.format(bytes: UInt64(max(0, check.size)))), content hash \(check.contentHash)",
                    "  \(check.good) of \(check.blobbers.count) blobbers good (\(check.required) needed to read)"
                        + (check.healthy ? "" : "; run `blob repair\(verify ? " --verify" : "")` to heal"),
                ]
                for row in check.blobbers {
                    var line = "  shard \(row.shardIndex) \(row.blobberID.prefix(12)): \(row.state)"
                    if let audit = row.audit {
                        line += audit.isDamaged
                            ? ", \(audit.damagedBlocks.count) damaged block(s)" : ", \(audit.verifiedBlocks) block(s) verified"
                    }
                    if let detail = row.detail { line += " (\(detail))" }
                    lines.append(line)
                }
                return lines.joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            try await context.client(alloc).check(path, verify: verify)
        }
    }
}
