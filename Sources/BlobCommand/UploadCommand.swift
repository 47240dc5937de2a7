import ArgumentParser
import Client
import Merkle
import Foundation
import StorageProtocol

struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload a file or a whole directory (one commit per blobber for all of it).",
        discussion: """
            An existing remote file is not replaced without --force. LOCAL - reads stdin, streamed: its size \
            must be known before the first byte, so stdin must be a file, or a pipe with --size.
            """)
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Flag(help: "Encrypt with a fresh AES-256-GCM key per file, wrapped for this wallet.") var encrypt = false
    @Flag(help: "Replace remote files that exist.") var force = false
    @Option(help: "With LOCAL -, the number of bytes stdin gives (needed when stdin is a pipe), e.g. 12MiB.")
    var size: String?
    @Argument(help: "Local file or directory (- for stdin).") var local: String
    @Argument(help: "Remote path (a directory's files go below it).") var remote: String

    func validate() throws {
        if let size, Sizes.parseBytes(size) == nil { throw ValidationError("--size \(size) is not a size") }
        if size != nil, local != "-" { throw ValidationError("--size goes with LOCAL - (stdin)") }
    }

    func run() async throws {
        let labels = BlobberLabels()
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
                    lines.append("warning: blobber \(labels(blobber)) missed the commit: \(reason)")
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
            let items: [Uploader.Item]
            if local == "-" {
                guard let bytes = size.flatMap(Sizes.parseBytes) ?? ByteSource.regularFileSize(of: STDIN_FILENO) else {
                    throw .invalidArgument(
                        "stdin is a pipe: give its size with --size (the blobbers need each shard's length first)")
                }
                items = [
                    Uploader.Item(
                        remotePath: try RemotePath.parse(remote), bytes: ByteSource(descriptor: STDIN_FILENO, size: bytes))
                ]
            } else {
                items = try Uploader.Item.walk(local: local, remote: remote)
            }
            let client = try await context.client(alloc)
            labels.session = client.session
            if !force, let existing = try await client.existing(items.map(\.remotePath)).first {
                throw .remoteExists(path: existing.string)
            }
            let total = items.reduce(UInt64(0)) { $0 + $1.size }
            let progress = Progress(label: "upload", total: total, enabled: !options.json)
            return try await client.upload(items, encrypt: encrypt) { progress.advance($0) }
        }
    }
}
