import ArgumentParser
import Client
import Merkle
import Foundation
import StorageProtocol

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Folder holding the wallet and settings (default: $BLOB_HOME, else ~/.blob).")
    var home: String?

    @Flag(help: "Print one JSON object on stdout (errors too) instead of text.")
    var json = false

    @Option(help: "Ledger address, e.g. http://127.0.0.1:7000 (remembered in the settings once given).")
    var ledger: String?

    @Option(
        name: .customLong("lock-wait"),
        help: "Seconds a write waits for another write to the same allocation from this wallet folder.")
    var lockWait: Double = 120

    func validate() throws {
        guard lockWait >= 0, lockWait <= 86_400 else { throw ValidationError("--lock-wait must be 0 to 86400 seconds") }
        if let ledger {
            let url = URL(string: ledger)
            guard let scheme = url?.scheme, ["http", "https"].contains(scheme), url?.host?.isEmpty == false else {
                throw ValidationError("--ledger \(ledger) is not an address like http://127.0.0.1:7000")
            }
        }
    }
}

/// What a command needs, resolved from the options and the home folder.
struct CommandContext {
    let options: GlobalOptions
    let home: ClientHome
    var settings: ClientSettings

    init(_ options: GlobalOptions) throws(ClientError) {
        self.options = options
        home = ClientHome(explicit: options.home)
        settings = try home.loadSettings()
        if let ledger = options.ledger { settings.ledgerURL = ledger }
    }

    /// Remembers --ledger in the settings, once a command using it has succeeded (a mistyped address
    /// that failed is not kept).
    func rememberLedger() throws(ClientError) {
        guard let ledger = options.ledger else { return }
        var saved = try home.loadSettings()
        guard saved.ledgerURL != ledger else { return }
        saved.ledgerURL = ledger
        try home.saveSettings(saved)
    }

    func ledger() throws(ClientError) -> LedgerClient {
        guard let url = options.ledger ?? settings.ledgerURL else { throw .noLedger }
        return LedgerClient(baseURL: url)
    }

    func wallet() throws(ClientError) -> SigningKey { try home.loadWallet() }

    func allocationID(_ explicit: String?) throws(ClientError) -> AllocationID {
        if let explicit {
            guard let id = AllocationID(hex: explicit) else {
                throw .invalidArgument("--alloc must be a 64-digit hex allocation id, got \(explicit)")
            }
            return id
        }
        guard let id = settings.defaultAllocation else { throw .noAllocation }
        return id
    }

    /// The allocation `explicit` names (else the default one; for a ticket, the ticket's), opened.
    func client(_ explicit: String?, ticket: TicketBundle? = nil) async throws(ClientError) -> BlobClient {
        let id: AllocationID
        if let ticket { id = ticket.ticket.allocationID } else { id = try allocationID(explicit) }
        return try await BlobClient.open(
            allocation: id, home: home, ledger: try ledger(), ticket: ticket,
            lockWait: .milliseconds(Int64(options.lockWait * 1000)))
    }

    /// The session behind `client(_:)`, for `blob bench`, which times the pipelines themselves; every
    /// other command goes through `BlobClient`.
    func session(_ explicit: String?, ticket: ShareTicket? = nil) async throws(ClientError) -> AllocationSession {
        let id: AllocationID
        if let ticket { id = ticket.allocationID } else { id = try allocationID(explicit) }
        var session = try await AllocationSession.open(
            id, ledger: try ledger(), signer: try wallet(), home: home, ticket: ticket)
        session.writeLockWait = .milliseconds(Int64(options.lockWait * 1000))
        return session
    }
}

/// Runs a command body: prints its result as JSON or text, and turns errors into a clear message and
/// exit status 1 (a JSON `{"error": {"code", "message"}}` with --json). With `resultOnStderr` (a
/// download whose bytes go to stdout) the result is printed on stderr instead.
func runCommand<Result: Encodable>(
    _ options: GlobalOptions, resultOnStderr: Bool = false, text: (Result) -> String,
    _ body: (inout CommandContext) async throws(ClientError) -> Result
) async throws {
    do throws(ClientError) {
        var context = try CommandContext(options)
        let result = try await body(&context)
        try context.rememberLedger()
        let rendered = options.json ? Output.json(result) : text(result)
        if resultOnStderr {
            if !rendered.isEmpty { FileHandle.standardError.write(Data((rendered + "\n").utf8)) }
        } else if !rendered.isEmpty {
            print(rendered)
        }
    } catch {
        if options.json {
            print(Output.json(["error": ["code": error.code, "message": error.description]]))
        } else {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        }
        throw ExitCode(1)
    }
}

/// How the text of a result names blobbers: set from the client the command body opened
/// (`AllocationSession.label(of:)`, `#2 3fa9c1d0 http://…`), the id prefix until then.
final class BlobberLabels {
    var session: AllocationSession?

    func callAsFunction(_ id: String) -> String { session?.label(of: id) ?? String(id.prefix(8)) }
}

enum Output {
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    static func tokens(_ units: UInt64) -> String {
        let whole = units / Token.unitsPerToken
        let fraction = units % Token.unitsPerToken
        return fraction == 0
            ? "\(whole)"
            : "\(whole).\(String(format: "%010llu", fraction).replacingOccurrences(of: "0+$", with: "", options: .regularExpression))"
    }
}

/// A progress line on stderr, only when stderr is a terminal.
final class Progress: @unchecked Sendable {
    private var total: UInt64
    let label: String
    private let lock = NSLock()
    private var done: UInt64 = 0
    private var lastPrinted = Date.distantPast
    private let enabled: Bool

    init(label: String, total: UInt64, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled && Output.isTerminal
    }

    func advance(_ bytes: UInt64) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += bytes
        show()
    }

    /// Sets how far the transfer is (a download learns its total only once it has found the file, and
    /// starts again from 0 if it has to start over).
    func update(done: UInt64, total: UInt64) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        self.done = done
        self.total = total
        show()
    }

    /// Called with the lock held.
    private func show() {
        let now = Date()
        guard now.timeIntervalSince(lastPrinted) > 0.1 || done >= total else { return }
        lastPrinted = now
        let percent = total == 0 ? 100 : Int(Double(done) * 100 / Double(total))
        FileHandle.standardError.write(
            Data("\r\(label) \(percent)% \(Sizes.format(bytes: done))/\(Sizes.format(bytes: total))".utf8))
        if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
