import ArgumentParser
import Client
import Foundation
import Merkle
import StorageProtocol

struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a file (or, with -r, a directory), verifying every block; with --ticket, a shared file.",
        discussion: """
            blob download REMOTE LOCAL [--range A-B]   or   blob download -r REMOTE_DIR LOCAL_DIR   or   \
            blob download --ticket T [REMOTE] LOCAL. LOCAL - writes the bytes to stdout (the report goes to \
            stderr). A file is written beside LOCAL and renamed into place once every byte verified; a \
            character device or FIFO (/dev/stdout) is written directly; a symbolic link is refused.
            """)
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Option(help: "Only bytes A to B (inclusive, from 0).") var range: String?
    @Option(help: "A ticket from `blob share` (blobticket:...).") var ticket: String?
    @Flag(name: [.customShort("r"), .long], help: "Download every file below a remote directory.")
    var recursive = false
    @Argument(help: "REMOTE LOCAL; with --ticket for one file, just LOCAL.") var paths: [String]

    func validate() throws {
        if ticket == nil, paths.count != 2 { throw ValidationError("give REMOTE and LOCAL") }
        if ticket != nil, !(1...2).contains(paths.count) { throw ValidationError("give [REMOTE] LOCAL with --ticket") }
        if let range, Self.parseRange(range) == nil { throw ValidationError("--range must be A-B with A ≤ B") }
        if recursive, range != nil || ticket != nil { throw ValidationError("-r takes no --range or --ticket") }
        if recursive, paths.last == "-" { throw ValidationError("-r writes a folder, not stdout") }
    }

    /// `path` is what stdout is open on (`/dev/stdout`, `/dev/fd/1`, the FIFO stdout is): the report
    /// then goes to stderr so it does not mix with the bytes.
    static func isStandardOutput(_ path: String) -> Bool {
        var named = stat()
        var out = stat()
        guard stat(path, &named) == 0, fstat(STDOUT_FILENO, &out) == 0 else { return false }
        return named.st_dev == out.st_dev && named.st_ino == out.st_ino
    }

    static func parseRange(_ text: String) -> ClosedRange<UInt64>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]), a <= b else { return nil }
        return a...b
    }

    func run() async throws {
        if recursive {
            try await runCommand(
                options,
                text: { (report: BlobClient.TreeDownload) in
                    "downloaded \(report.files.count) file(s) from \(report.path) into \(report.local): \(Sizes.format(bytes: report.bytes)) in \(String(format: "%.2f", report.seconds)) s"
                }
            ) { context throws(ClientError) in
                let client = try await context.client(alloc)
                let progress = Progress(label: "download", total: 0, enabled: !options.json)
                return try await client.download(tree: paths[0], to: paths[1]) { progress.update(done: $0, total: $1) }
            }
            return
        }
        let toStdout = paths.last == "-"
        let reportOnStderr = toStdout || paths.last.map(Self.isStandardOutput) == true
        let labels = BlobberLabels()
        try await runCommand(
            options, resultOnStderr: reportOnStderr,
            text: { (report: Downloader.Report) in
                var lines = [
                    "downloaded \(report.path): \(Sizes.format(bytes: report.bytes)) in \(String(format: "%.2f", report.seconds)) s"
                ]
                for (blobber, reason) in report.dropped.sorted(by: { $0.key < $1.key }) {
                    lines.append("warning: blobber \(labels(blobber)) was dropped: \(reason)")
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
            labels.session = client.session
            let progress = Progress(label: "download", total: 0, enabled: !options.json)
            let path = try RemotePath.parse(remote)
            let range = range.flatMap(Self.parseRange)
            if toStdout {
                return try await client.download(path, toDescriptor: STDOUT_FILENO, range: range) {
                    progress.update(done: $0, total: $1)
                }
            }
            return try await client.download(path, to: local, range: range) { progress.update(done: $0, total: $1) }
        }
    }
}

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List a remote directory; with --ticket, a directory someone shared with this wallet.",
        discussion: "blob ls [DIR]   or   blob ls --ticket T [DIR]   (with a ticket, DIR defaults to the shared directory)")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Flag(name: [.customShort("R"), .long], help: "Every file below the directory, by path relative to it.")
    var recursive = false
    @Flag(name: [.customShort("l"), .long], help: "Size, modification time (local time), encryption and blocks.")
    var long = false
    @Option(help: "A directory ticket from `blob share` (blobticket:...).") var ticket: String?
    @Argument(help: "Remote directory (default: /, or the ticket's directory).") var path: String?

    func run() async throws {
        try await runCommand(
            options,
            text: { (listing: FileOperations.Listing) in
                let names = recursive ? [] : listing.directories
                return (names
                    + listing.files.map { entry in
                        let name = recursive ? String(entry.path.dropFirst(listing.path.count)) : entry.name
                        return long ? Self.longLine(entry, name: name) : name
                    })
                    .joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            guard let ticket else { return try await context.client(alloc).list(path ?? "/", recursive: recursive) }
            let bundle = try TicketBundle.received(ticket, home: context.home)
            let directory: String
            if let path { directory = path } else { directory = try bundle.sharedDirectory() }
            return try await context.client(alloc, ticket: bundle).list(directory, recursive: recursive)
        }
    }

    /// `size  modified  enc|-  blocks  name`, the time in local time.
    static func longLine(_ entry: FileEntry, name: String) -> String {
        let size = Sizes.format(bytes: UInt64(clamping: entry.size))
        let padded = String(repeating: " ", count: max(0, 10 - size.count)) + size
        return "\(padded)  \(localTime(entry.updatedAt))  \(entry.encryption.isEmpty ? "-  " : "enc")  \(entry.blockCount) blocks  \(name)"
    }

    static func localTime(_ millis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = .current
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}

extension FileEntry {
    /// The last segment of the path.
    var name: String { String(path.split(separator: "/").last ?? "") }
}

struct Done: Encodable {
    var done: String
}

struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Delete remote files, or with -r directories (one commit for all of it).")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Flag(name: [.customShort("r"), .long], help: "Delete every file below each remote directory.")
    var recursive = false
    @Argument(help: "Remote files (directories with -r).") var paths: [String]

    struct Removed: Encodable {
        var deleted: [String]
    }

    func run() async throws {
        try await runCommand(options, text: { (done: Removed) in "deleted \(done.deleted.joined(separator: ", "))" }) {
            context throws(ClientError) in
            let client = try await context.client(alloc)
            if recursive { return Removed(deleted: try await client.delete(trees: paths)) }
            var remote: [RemotePath] = []
            for path in paths { remote.append(try RemotePath.parse(path)) }
            try await client.delete(remote)
            return Removed(deleted: remote.map(\.string))
        }
    }
}

struct MoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mv", abstract: "Rename a remote file.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Flag(help: "Replace a file at the new path.") var force = false
    @Argument(help: "Remote file.") var from: String
    @Argument(help: "New remote path.") var to: String

    func run() async throws {
        try await runCommand(options, text: { (done: Done) in done.done }) { context throws(ClientError) in
            let client = try await context.client(alloc)
            let target = try RemotePath.parse(to)
            if !force, let existing = try await client.existing([target]).first {
                throw .remoteExists(path: existing.string)
            }
            try await client.rename(try RemotePath.parse(from), to: target)
            return Done(done: "moved \(from) to \(to)")
        }
    }
}

struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Print a ticket that lets one client (or, --public, anyone with the link) read a file or a directory ending in /; list and revoke tickets.",
        discussion: """
            blob share REMOTE --to CLIENT_ID:SHARE_KEY [--expiry 7d]
            blob share --public REMOTE [--expiry 7d]
            blob share --list
            blob share --revoke ID        (ID: the ticket hash, or at least 6 hex digits of it)
            """)
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Option(
        help:
            "The reader's share address CLIENT_ID:SHARE_KEY (`blob wallet show`: lets it read files encrypted later too), or just its client id."
    ) var to: String?
    @Flag(name: .customLong("public"), help: "A link anyone holding it can read with (the link is the secret).")
    var isPublic = false
    @Flag(help: "List the tickets this wallet made, with their state.") var list = false
    @Option(help: "Revoke a ticket this wallet made, on the ledger.") var revoke: String?
    @Option(help: "How long the ticket is valid, e.g. 7d.") var expiry: String = "7d"
    @Argument(help: "Remote file, or directory ending in /.") var path: String?

    struct Printed: Encodable {
        var ticket: String
        var ticketHash: String
        var path: String
        var recipient: String
        var expiry: Int64

        enum CodingKeys: String, CodingKey {
            case ticket
            case ticketHash = "ticket_hash"
            case path, recipient, expiry
        }
    }

    struct Listed: Encodable {
        var tickets: [Row]
        struct Row: Encodable {
            var ticketHash: String
            var allocationID: String
            var path: String
            var recipient: String
            var expiry: Int64
            var link: Bool
            var state: String

            enum CodingKeys: String, CodingKey {
                case ticketHash = "ticket_hash"
                case allocationID = "allocation_id"
                case path, recipient, expiry, link, state
            }
        }
    }

    struct Revoked: Encodable {
        var revoked: String
        var transaction: String
    }

    func validate() throws {
        let modes = [path != nil, list, revoke != nil].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give REMOTE (with --to or --public), --list or --revoke ID") }
        if path != nil {
            guard (to != nil) != isPublic else { throw ValidationError("give either --to or --public with REMOTE") }
            if let to {
                guard ShareAddress(text: to) != nil || (to.count == 64 && ClientID(hex: to) != nil) else {
                    throw ValidationError("--to must be a share address CLIENT_ID:SHARE_KEY or a 64-digit hex client id")
                }
            }
            guard Sizes.parseDuration(expiry) != nil else { throw ValidationError("--expiry must be like 7d or 12h") }
        } else if to != nil || isPublic {
            throw ValidationError("--to and --public go with REMOTE")
        }
    }

    func run() async throws {
        if list { return try await runList() }
        if let revoke { return try await runRevoke(revoke) }
        try await runCommand(options, text: { (printed: Printed) in printed.ticket }) { context throws(ClientError) in
            let client = try await context.client(alloc)
            let expiry = Clock.nowMillis + Sizes.parseDuration(self.expiry)!
            let bundle: TicketBundle
            if isPublic {
                bundle = try await client.publicLink(path!, expiry: expiry)
            } else {
                let address = to.flatMap(ShareAddress.init(text:))
                bundle = try await client.share(
                    path!, to: address?.clientID ?? ClientID(hex: to!)!, shareKey: address?.shareKey, expiry: expiry)
            }
            try ShareBook(home: context.home).add(ShareRecord(bundle.ticket, createdAt: Clock.nowMillis, link: isPublic))
            return Printed(
                ticket: bundle.text, ticketHash: bundle.ticket.hash.hex, path: path!,
                recipient: bundle.ticket.recipientID.hex, expiry: expiry)
        }
    }

    private func runList() async throws {
        try await runCommand(
            options,
            text: { (listed: Listed) in
                listed.tickets.map { (row: Listed.Row) -> String in
                    let whom = row.link ? "public link" : "to \(row.recipient.prefix(12))"
                    return "\(row.ticketHash.prefix(12))  \(row.state)  \(row.path)  \(whom)  expires \(row.expiry)"
                }.joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            let rows = try await ShareBook(home: context.home).states(ledger: try context.ledger(), now: Clock.nowMillis)
            return Listed(
                tickets: rows.map { record, state in
                    Listed.Row(
                        ticketHash: record.ticketHash.hex, allocationID: record.allocationID.hex, path: record.path,
                        recipient: record.recipientID.hex, expiry: record.expiry, link: record.link == true,
                        state: state.rawValue)
                })
        }
    }

    private func runRevoke(_ id: String) async throws {
        try await runCommand(options, text: { (revoked: Revoked) in "revoked \(revoked.revoked)" }) {
            context throws(ClientError) in
            let book = ShareBook(home: context.home)
            let record = try book.find(id)
            let receipt = try await book.revoke(record, ledger: try context.ledger(), owner: try context.wallet())
            return Revoked(revoked: record.ticketHash.hex, transaction: receipt.hash.hex)
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Each blobber's health, state (root, file_meta_root, sequence), region, free space and last audit.")
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
                    + status.blobbers.flatMap { row in
                        let place = "region \(row.region ?? "?")  node free \(row.nodeFreeBytes.map(Sizes.format(bytes:)) ?? "?")"
                        let audit = row.lastAudit.map { audit in
                            "last audit \(Sizes.formatDuration(milliseconds: max(0, Clock.nowMillis - audit.at))) ago: "
                                + (audit.failed == 0
                                    ? "\(audit.passed) file(s) verified"
                                    : "\(audit.failed) file(s) damaged (\(audit.problem ?? ""))"
                                        + (audit.outstandingDamage ? "" : ", repaired since"))
                        } ?? "no audit from this wallet folder (`blob monitor` audits)"
                        guard row.reachable else {
                            return ["  \(row.label)  UNREACHABLE  \(row.error ?? "")", "      \(place); \(audit)"]
                        }
                        return [
                            "  \(row.label)  \(row.health.uppercased())  seq \(row.sequence ?? 0)  root \(row.allocationRoot?.prefix(12) ?? "")  meta \(row.fileMetaRoot?.prefix(12) ?? "")  \(row.agrees ? "agrees" : "DISAGREES")  ledger seq \(row.ledgerSequence ?? 0) \(row.ledgerAgrees ? "ok" : "behind/differs")",
                            "      \(place)  share free \(row.shareFreeBytes.map(Sizes.format(bytes:)) ?? "?"); \(audit)",
                        ]
                    }).joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            try await context.client(alloc).status()
        }
    }
}
