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
            let items = try UploadCommand.items(local: local, remote: remote)
            let session = try await context.session(alloc)
            let total = items.reduce(UInt64(0)) { sum, item in
                sum + ((try? FileManager.default.attributesOfItem(atPath: item.localPath)[.size] as? UInt64) ?? 0)
            }
            let progress = Progress(label: "upload", total: total, enabled: !options.json)
            return try await Uploader(session: session, encrypt: encrypt).upload(items) { progress.advance($0) }
        }
    }

    /// The files to upload: `local` itself, or every regular file below it (sorted, hidden ones included).
    static func items(local: String, remote: String) throws(ClientError) -> [Uploader.Item] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: local, isDirectory: &isDirectory) else {
            throw .localFile(path: local, reason: "no such file or directory")
        }
        let base = remote.hasSuffix("/") && remote != "/" ? String(remote.dropLast()) : remote
        guard isDirectory.boolValue else {
            let target = remote.hasSuffix("/") ? remote + URL(fileURLWithPath: local).lastPathComponent : remote
            return [Uploader.Item(localPath: local, remotePath: try RemotePath.parse(target))]
        }
        guard let enumerator = FileManager.default.enumerator(atPath: local) else {
            throw .localFile(path: local, reason: "cannot list the directory")
        }
        var items: [Uploader.Item] = []
        while let relative = enumerator.nextObject() as? String {
            let full = local + "/" + relative
            var nestedDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &nestedDirectory),
                !nestedDirectory.boolValue
            else { continue }
            items.append(
                Uploader.Item(localPath: full, remotePath: try RemotePath.parse((base == "/" ? "" : base) + "/" + relative)))
        }
        guard !items.isEmpty else { throw .localFile(path: local, reason: "the directory holds no files") }
        return items.sorted { $0.remotePath < $1.remotePath }
    }
}
