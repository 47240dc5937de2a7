import ArgumentParser
import Client
import Foundation
import Merkle
import StorageProtocol

struct StatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stat", abstract: "Show one remote file's entry, verified against the signed root.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Argument(help: "Remote file.") var path: String

    func run() async throws {
        try await runCommand(
            options,
            text: { (entry: FileEntry) in
                [
                    "path       \(entry.path)",
                    "size       \(entry.size) bytes (\(Sizes.format(bytes: UInt64(clamping: entry.size))))",
                    "modified   \(ListCommand.localTime(entry.updatedAt))",
                    "created    \(ListCommand.localTime(entry.createdAt))",
                    "encrypted  \(entry.encryption.isEmpty ? "no" : "yes")",
                    "blocks     \(entry.blockCount) per shard",
                    "content    sha256 \(entry.contentHash.hex)",
                ].joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            try await context.client(alloc).stat(try RemotePath.parse(path))
        }
    }
}

struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp",
        abstract: "Copy a remote file to another remote path (read, verified and re-uploaded as it streams).")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Flag(help: "Replace a file at the destination.") var force = false
    @Argument(help: "Remote file.") var from: String
    @Argument(help: "Remote destination.") var to: String

    func run() async throws {
        try await runCommand(
            options,
            text: { (report: Uploader.Report) in
                "copied \(from) to \(to): \(Sizes.format(bytes: report.bytes)); committed on \(report.committed.count) blobbers"
            }
        ) { context throws(ClientError) in
            let client = try await context.client(alloc)
            let target = try RemotePath.parse(to)
            if !force, let existing = try await client.existing([target]).first {
                throw .remoteExists(path: existing.string)
            }
            return try await client.copy(try RemotePath.parse(from), to: target)
        }
    }
}

struct MakeDirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mkdir",
        abstract: "Directories are implicit: this creates nothing and says so.",
        discussion: """
            An allocation stores files by path; a directory exists while a file is stored below it \
            (docs/CLIENT.md). `blob mkdir` checks the name and exits 0 without changing anything, so \
            scripts written for other stores keep working.
            """)
    @OptionGroup var options: GlobalOptions
    @Argument(help: "Remote directory.") var path: String

    struct Answer: Encodable {
        var path: String
        var created: Bool
        var note: String
    }

    func run() async throws {
        try await runCommand(options, text: { (answer: Answer) in answer.note }) { _ throws(ClientError) in
            let name = path.hasSuffix("/") && path != "/" ? String(path.dropLast()) : path
            if name != "/" { _ = try RemotePath.parse(name) }
            return Answer(
                path: name, created: false,
                note: "nothing to create: directories are implicit, \(name) exists once a file is stored below it")
        }
    }
}

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Copy only what changed between a local folder and a remote directory, one way.",
        discussion: """
            blob sync ./dir /dir uploads (one commit for all of it); blob sync /dir ./dir downloads. A source \
            that is a local folder is uploaded, any other source is remote. A file is unchanged when its size \
            and SHA-256 content hash match. --delete also removes what the source does not have.
            """)
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Flag(help: "Delete files on the receiving side that the source does not have (mirror).") var delete = false
    @Flag(name: .customLong("dry-run"), help: "Print the plan and change nothing.") var dryRun = false
    @Flag(help: "Encrypt uploaded files (upload direction).") var encrypt = false
    @Argument(help: "Source: a local folder or a remote directory.") var source: String
    @Argument(help: "Destination: a remote directory or a local folder.") var destination: String

    struct Answer: Encodable {
        var plan: BlobClient.SyncPlan
        var dryRun: Bool

        enum CodingKeys: String, CodingKey {
            case plan
            case dryRun = "dry_run"
        }
    }

    func run() async throws {
        try await runCommand(
            options,
            text: { (answer: Answer) in
                let plan = answer.plan
                let verb = answer.dryRun ? "would" : "did"
                let arrow = plan.direction == .upload ? "\(plan.local) -> \(plan.remote)" : "\(plan.remote) -> \(plan.local)"
                var lines = ["sync \(arrow): \(plan.unchanged) unchanged"]
                lines += plan.added.map { "\(answer.dryRun ? "add" : "added")     \($0)" }
                lines += plan.changed.map { "\(answer.dryRun ? "update" : "updated")  \($0)" }
                lines += plan.deleted.map { "\(answer.dryRun ? "delete" : "deleted")  \($0)" }
                if plan.isEmpty { lines.append("nothing to do") } else {
                    lines.append(
                        "\(verb) send \(Sizes.format(bytes: plan.bytes)) in \(plan.added.count + plan.changed.count) file(s)")
                }
                return lines.joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            var isDirectory: ObjCBool = false
            let upload = FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) && isDirectory.boolValue
            let client = try await context.client(alloc)
            let plan = try await client.planSync(
                local: upload ? source : destination, remote: upload ? destination : source,
                direction: upload ? .upload : .download, mirror: delete)
            if dryRun { return Answer(plan: plan, dryRun: true) }
            return Answer(plan: try await client.sync(plan, encrypt: encrypt), dryRun: false)
        }
    }
}
