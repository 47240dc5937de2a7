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
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List a remote directory.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Flag(name: [.customShort("R"), .long], help: "Every file below the directory, by path relative to it.")
    var recursive = false
    @Flag(name: [.customShort("l"), .long], help: "Size, modification time (local time), encryption and blocks.")
    var long = false
    @Argument(help: "Remote directory.") var path: String = "/"

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
            try await context.client(alloc).list(path, recursive: recursive)
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
                            return "  \(row.label)  UNREACHABLE  \(row.error ?? "")"
                        }
                        return
                            "  \(row.label)  seq \(row.sequence ?? 0)  root \(row.allocationRoot?.prefix(12) ?? "")  meta \(row.fileMetaRoot?.prefix(12) ?? "")  \(row.agrees ? "agrees" : "DISAGREES")  ledger seq \(row.ledgerSequence ?? 0) \(row.ledgerAgrees ? "ok" : "behind/differs")"
                    }).joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            try await context.client(alloc).status()
        }
    }
}
