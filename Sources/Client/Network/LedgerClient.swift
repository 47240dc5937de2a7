import Foundation
public import LedgerAPI
public import Merkle
import NIOCore
public import StorageProtocol

/// The ledger as the client asks it (docs/PROTOCOL.md section 7): any `LedgerAccess` (`HTTPLedger` from
/// a URL), with its errors as the client's — `client.ledger_unreachable` when there is no answer, the
/// ledger's own code when it refuses.
public struct LedgerClient: Sendable {
    /// The URL named in `client.ledger_unreachable`.
    public let baseURL: String
    public let access: any LedgerAccess

    /// Reads answer in milliseconds; the client's HTTP pool retries a refused connection until the
    /// deadline, so a short one (5 s) is what makes a dead ledger fail fast. Transactions get 15 s.
    public init(baseURL: String, transport: HTTPTransport = HTTPTransport()) {
        let http = HTTPLedger(
            baseURL: baseURL, client: transport.client, readTimeout: .seconds(5), submitTimeout: .seconds(15))
        self.init(http, baseURL: http.baseURL)
    }

    /// Over `access` (an in-process ledger in tests); `baseURL` names it in errors.
    public init(_ access: any LedgerAccess, baseURL: String) {
        self.access = access
        self.baseURL = baseURL
    }

    public func blobbers() async throws(ClientError) -> [BlobberRecord] {
        try await asking { () async throws(LedgerAccessError) in try await access.blobbers() }
    }

    /// The allocation; `ledger.unknown_allocation` when the ledger does not know it.
    public func allocation(_ id: AllocationID) async throws(ClientError) -> AllocationView {
        let view = try await asking { () async throws(LedgerAccessError) in try await access.allocation(id) }
        guard let view else { throw .ledgerRefused(code: "ledger.unknown_allocation", message: "no allocation \(id)") }
        return view
    }

    /// The hashes of the allocation's revoked share tickets; `ledger.unknown_allocation` when unknown.
    public func revokedTickets(of id: AllocationID) async throws(ClientError) -> [Hash] {
        let revoked = try await asking { () async throws(LedgerAccessError) in try await access.revokedTickets(of: id) }
        guard let revoked else { throw .ledgerRefused(code: "ledger.unknown_allocation", message: "no allocation \(id)") }
        return revoked
    }

    /// The challenges `blobber` failed (its proof did not verify against the root it had accepted),
    /// oldest first; challenges it let time out are not among them (an unreachable blobber).
    public func failedChallenges(of blobber: BlobberID) async throws(ClientError) -> [ChallengeRecord] {
        try await asking { () async throws(LedgerAccessError) in try await access.challenges(for: blobber, status: .failed) }
    }

    /// The balance in units; 0 for an account that never held anything.
    public func balance(of id: Hash) async throws(ClientError) -> UInt64 {
        try await asking { () async throws(LedgerAccessError) in try await access.balance(of: id) }
    }

    /// Signs and submits a transaction of `kind`.
    public func submit(_ kind: TransactionKind, _ payload: some Encodable, key: SigningKey) async throws(ClientError)
        -> TransactionReceipt
    {
        let transaction = LedgerTransaction.make(
            kind, payload: payload, key: key, nonce: UInt64.random(in: 0...UInt64.max), timestamp: Clock.nowMillis)
        return try await asking { () async throws(LedgerAccessError) in try await access.submit(transaction) }
    }

    /// Pegs data: submits a `peg` transaction (`{"hash","uri"}`, docs/PROTOCOL.md 7.2) signed by `key`.
    /// The receipt's `hash` is the peg's id (txid). A uri out of 1...2048 bytes is refused here as
    /// `client.invalid_argument` before anything is sent (the ledger would answer `ledger.invalid_peg`).
    public func peg(hash: Hash, uri: String, key: SigningKey) async throws(ClientError) -> TransactionReceipt {
        let payload = PegPayload(hash: hash, uri: uri)
        if let problem = payload.problem() { throw .invalidArgument("cannot peg: \(problem)") }
        return try await submit(.peg, payload, key: key)
    }

    /// The peg `txid` as the ledger recorded it, checked here rather than trusted: the answer must be the
    /// transaction whose hash is `txid`, of kind `peg`, with a signature that verifies by its own key and a
    /// valid payload. `ledger.unknown_transaction` when the ledger does not know it; another kind is
    /// `client.invalid_argument`; an answer that is not that transaction is `client.ledger_unreachable`.
    /// Who signed it is for the caller to judge (`PegRecord.publicKey`).
    public func peg(_ txid: Hash) async throws(ClientError) -> PegRecord {
        let view = try await asking { () async throws(LedgerAccessError) in try await access.transaction(txid) }
        guard let view else {
            throw .ledgerRefused(code: "ledger.unknown_transaction", message: "no transaction \(txid)")
        }
        let tx = view.transaction
        guard tx.hash == txid, view.receipt.hash == txid else {
            throw .ledgerUnreachable(url: baseURL, reason: "the answer for \(txid) is another transaction (\(tx.hash))")
        }
        do throws(TransactionError) { try tx.verifySignature() } catch {
            throw .ledgerUnreachable(url: baseURL, reason: "transaction \(txid) as answered: \(error.description)")
        }
        guard tx.kind == .peg else { throw .invalidArgument("transaction \(txid) is a \(tx.kind.rawValue), not a peg") }
        let payload: PegPayload
        do throws(TransactionError) { payload = try tx.decodePayload(as: PegPayload.self) } catch {
            throw .ledgerUnreachable(url: baseURL, reason: "peg \(txid) as answered: \(error.description)")
        }
        if let problem = payload.problem() {
            throw .ledgerUnreachable(url: baseURL, reason: "peg \(txid) as answered: \(problem)")
        }
        return PegRecord(
            txid: txid, hash: payload.hash, uri: payload.uri, publicKey: tx.publicKey, block: view.receipt.block,
            appliedAt: view.appliedAt, timestamp: tx.timestamp)
    }

    /// Runs one question, its errors as the client's.
    private func asking<T>(_ question: () async throws(LedgerAccessError) -> T) async throws(ClientError) -> T {
        do throws(LedgerAccessError) {
            return try await question()
        } catch {
            throw clientError(error)
        }
    }

    func clientError(_ error: LedgerAccessError) -> ClientError {
        switch error {
        case .unreachable(let request, let reason):
            .ledgerUnreachable(url: baseURL, reason: "\(request) failed: \(NetworkFailure.explain(text: reason))")
        case .undecodable(_, let reason):
            .ledgerUnreachable(url: baseURL, reason: "the answer is not the expected JSON: \(reason)")
        case .badStatus(let status, _):
            .ledgerRefused(code: "http.\(status)", message: "HTTP \(status) from \(baseURL)")
        case .refused(_, let body): .ledgerRefused(code: body.code, message: body.message)
        }
    }
}

/// Wall-clock milliseconds, as markers, tickets and transactions carry them.
public enum Clock {
    public static var nowMillis: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// `millis` as a UTC date and time for messages, e.g. `2026-12-05 07:14:03 UTC`.
    public static func describe(millis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
