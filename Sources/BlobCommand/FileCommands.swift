import ArgumentParser
import Client
import Foundation
import Merkle
import StorageProtocol

struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a file, verifying every block; with --ticket, a file someone shared with this wallet.",
        discussion: "blob download REMOTE LOCAL [--range A-B]   or   blob download --ticket T [REMOTE] LOCAL")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Option(help: "Only bytes A to B (inclusive, from 0).") var range: String?
    @Option(help: "A ticket from `blob share` (blobticket:...).") var ticket: String?
    @Argument(help: "REMOTE LOCAL; with --ticket for one file, just LOCAL.") var paths: [String]

    func validate() throws {
        if ticket == nil, paths.count != 2 { throw ValidationError("give REMOTE and LOCAL") }
        if ticket != nil, !(1...2).contains(paths.count) { throw ValidationError("give [REMOTE] LOCAL with --ticket") }
        if let range, Self.parseRange(range) == nil { throw ValidationError("--range must be A-B with A ≤ B") }
    }

    static func parseRange(_ text: String) -> ClosedRange<UInt64>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]), a <= b else { return nil }
        return a...b
    }

    func run() async throws {
        try await runCommand(
            options,
            text: { (report: Downloader.Report) in
                var lines = [
                    "downloaded \(report.path): \(Sizes.format(bytes: report.bytes)) in \(String(format: "%.2f", report.seconds)) s"
                ]
                for (blobber, reason) in report.dropped.sorted(by: { $0.key < $1.key }) {
                    lines.append("warning: blobber \(blobber.prefix(12)) was dropped: \(reason)")
                }
                return lines.joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            var bundle: TicketBundle?
            if let ticket { bundle = try TicketBundle.received(ticket, home: context.home) }
            let remote: String
            let local: String
            if let bundle, paths.count == 1 {
                remote = try bundle.sharedFile()
                local = paths[0]
            } else {
                remote = paths[0]
                local = paths[1]
            }
            let client = try await context.client(alloc, ticket: bundle)
            let progress = Progress(label: "download", total: 0, enabled: !options.json)
            return try await client.download(
                try RemotePath.parse(remote), to: local, range: range.flatMap(Self.parseRange)
            ) { progress.update(done: $0, total: $1) }
        }
    }
}

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List a remote directory.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Argument(help: "Remote directory.") var path: String = "/"

    func run() async throws {
        try await runCommand(
            options,
            text: { (listing: FileOperations.Listing) in
                (listing.directories.map { "\($0)" }
                    + listing.files.map {
                        "\($0.path.split(separator: "/").last ?? "")  \(Sizes.format(bytes: UInt64(clamping: $0.size)))\($0.encryption.isEmpty ? "" : "  encrypted")"
                    })
                    .joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            try await context.client(alloc).list(path)
        }
    }
}

struct Done: Encodable {
    var done: String
}

struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete remote files (one commit).")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Argument(help: "Remote files.") var paths: [String]

    func run() async throws {
        try await runCommand(options, text: { (done: Done) in done.done }) { context throws(ClientError) in
            var remote: [RemotePath] = []
            for path in paths { remote.append(try RemotePath.parse(path)) }
            try await context.client(alloc).delete(remote)
            return Done(done: "deleted \(paths.joined(separator: ", "))")
        }
    }
}

struct MoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mv", abstract: "Rename a remote file.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Argument(help: "Remote file.") var from: String
    @Argument(help: "New remote path.") var to: String

    func run() async throws {
        try await runCommand(options, text: { (done: Done) in done.done }) { context throws(ClientError) in
            try await context.client(alloc).rename(try RemotePath.parse(from), to: try RemotePath.parse(to))
            return Done(done: "moved \(from) to \(to)")
        }
    }
}

struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share", abstract: "Print a ticket that lets one client read a file (or a directory ending in /).")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Option(help: "The reader's client id (`blob wallet show`).") var to: String
    @Option(help: "How long the ticket is valid, e.g. 7d.") var expiry: String = "7d"
    @Argument(help: "Remote file, or directory ending in /.") var path: String

    struct Printed: Encodable {
        var ticket: String
        var path: String
        var recipient: String
        var expiry: Int64
    }

    func validate() throws {
        guard ClientID(hex: to) != nil else { throw ValidationError("--to must be a 64-digit hex client id") }
        guard Sizes.parseDuration(expiry) != nil else { throw ValidationError("--expiry must be like 7d or 12h") }
    }

    func run() async throws {
        try await runCommand(options, text: { (printed: Printed) in printed.ticket }) { context throws(ClientError) in
            let client = try await context.client(alloc)
            let expiry = Clock.nowMillis + Sizes.parseDuration(self.expiry)!
            let bundle = try await client.share(path, to: ClientID(hex: to)!, expiry: expiry)
            return Printed(ticket: bundle.text, path: path, recipient: to, expiry: expiry)
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Each blobber's root, file_meta_root and sequence, and whether it agrees.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?

    func run() async throws {
        try await runCommand(
            options,
            text: { (status: AllocationStatus) in
                var header = ["allocation \(status.allocationID)"]
                if status.split {
                    header.append(
                        "SPLIT: \(status.states.count) states; "
                            + (status.agreedFileMetaRoot.map {
                                "resolves to meta \($0.prefix(12)) (the newest state k blobbers can serve): run `blob repair`"
                            } ?? "no state k blobbers can serve"))
                    for state in status.states {
                        header.append(
                            "  state meta \(state.fileMetaRoot.hex.prefix(12))  signed at \(state.signedAt)  held by shards \(state.holders)"
                                + (state.undoable.isEmpty ? "" : ", reachable by rollback from \(state.undoable)"))
                    }
                }
                return (header
                    + status.blobbers.map { row in
                        guard row.reachable else {
                            return
                                "  shard \(row.shardIndex) \(row.blobberID.prefix(12))  UNREACHABLE  \(row.error ?? "")"
                        }
                        return
                            "  shard \(row.shardIndex) \(row.blobberID.prefix(12))  seq \(row.sequence ?? 0)  root \(row.allocationRoot?.prefix(12) ?? "")  meta \(row.fileMetaRoot?.prefix(12) ?? "")  \(row.agrees ? "agrees" : "DISAGREES")  ledger seq \(row.ledgerSequence ?? 0) \(row.ledgerAgrees ? "ok" : "behind/differs")"
                    }).joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            try await context.client(alloc).status()
        }
    }
}
