import ArgumentParser
import Client
import Merkle
import Foundation
import StorageProtocol

struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload a file or a whole directory (one commit per blobber for all of it).")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Flag(help: "Encrypt with a fresh AES-256-GCM key per file, wrapped for this wallet.") var encrypt = false
    @Argument(help: "Local file or directory.") var local: String
    @Argument(help: "Remote path (a directory's files go below it).") var remote: String

    func run() async throws {
        try await runCommand(
            options,
            text: { (report: Uploader.Report) in
                var lines = [
                    "uploaded \(report.files.count) file(s), \(Sizes.format(bytes: report.bytes)); committed on \(report.committed.count) blobbers"
                ]
                if report.resumedBytes > 0 {
                    lines.append(
                        "resumed an interrupted upload: \(Sizes.format(bytes: report.resumedBytes)) of shards were already on the blobbers"
                    )
                }
                for (blobber, reason) in report.missed.sorted(by: { $0.key < $1.key }) {
                    lines.append("warning: blobber \(blobber.prefix(12)) missed the commit (\(reason))")
                }
                if let repair = report.repair {
                    for (shard, outcome) in repair.repaired.sorted(by: { $0.key < $1.key }) {
                        lines.append(
                            outcome.error == nil
                                ? "repaired shard \(shard)"
                                : "shard \(shard) could not be repaired yet: \(outcome.error!)")
                    }
                    if !repair.unreachable.isEmpty {
                        lines.append(
                            "shards \(repair.unreachable.map(String.init).joined(separator: ", ")) are unreachable: run `blob repair` once they are back"
                        )
                    }
                }
                return lines.joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            let items = try Uploader.Item.walk(local: local, remote: remote)
            let client = try await context.client(alloc)
            let total = items.reduce(UInt64(0)) { $0 + $1.size }
            let progress = Progress(label: "upload", total: total, enabled: !options.json)
            return try await client.upload(items, encrypt: encrypt) { progress.advance($0) }
        }
    }
}
