import Foundation
import Hummingbird
public import LedgerAPI
public import Merkle
public import StorageProtocol

/// `LedgerAccess` over a `Ledger` in this process: what `HTTPLedger` answers against `ledger serve`
/// of the same ledger, without the network. Refusals carry the status and body the HTTP API would
/// send (`LedgerError+HTTP`), so "unknown" means the same here (see `LedgerAccess`).
public struct InProcessLedger: LedgerAccess {
    public let ledger: Ledger

    public init(_ ledger: Ledger) {
        self.ledger = ledger
    }

    public func allocation(_ id: AllocationID) async throws(LedgerAccessError) -> AllocationView? {
        do throws(LedgerAccessError) {
            return try await answer { () async throws(LedgerError) in try await ledger.allocation(id) }
        } catch let error where error.isUnknown("ledger.unknown_allocation") {
            return nil
        }
    }

    public func blobber(_ id: BlobberID) async throws(LedgerAccessError) -> BlobberRecord? {
        do throws(LedgerAccessError) {
            return try await answer { () async throws(LedgerError) in try await ledger.blobber(id) }
        } catch let error where error.isUnknown("ledger.unknown_blobber") {
            return nil
        }
    }

    public func blobbers() async throws(LedgerAccessError) -> [BlobberRecord] {
        try await answer { () async throws(LedgerError) in try await ledger.blobbers() }
    }

    public func balance(of account: Hash) async throws(LedgerAccessError) -> UInt64 {
        do throws(LedgerAccessError) {
            return try await answer { () async throws(LedgerError) in try await ledger.account(account).balance }
        } catch let error where error.isUnknown("ledger.unknown_account") {
            return 0
        }
    }

    public func revokedTickets(of allocation: AllocationID) async throws(LedgerAccessError) -> [Hash]? {
        do throws(LedgerAccessError) {
            return try await answer { () async throws(LedgerError) in
                try await ledger.revokedTickets(of: allocation).revoked
            }
        } catch let error where error.isUnknown("ledger.unknown_allocation") {
            return nil
        }
    }

    public func challenges(for blobber: BlobberID, status: ChallengeRecord.Status) async throws(LedgerAccessError)
        -> [ChallengeRecord]
    {
        try await answer { () async throws(LedgerError) in try await ledger.challenges(blobber: blobber, status: status) }
    }

    public func transaction(_ hash: Hash) async throws(LedgerAccessError) -> TransactionView? {
        do throws(LedgerAccessError) {
            return try await answer { () async throws(LedgerError) in try await ledger.transaction(hash) }
        } catch let error where error.isUnknown("ledger.unknown_transaction") {
            return nil
        }
    }

    /// The transaction goes through its JSON encoding first, so the ledger sees what a server would decode.
    public func submit(_ transaction: LedgerTransaction) async throws(LedgerAccessError) -> TransactionReceipt {
        let decoded: LedgerTransaction
        do {
            decoded = try JSONDecoder().decode(
                LedgerTransaction.self, from: Data(TransactionCoding.encode(transaction)))
        } catch {
            throw Self.refusal(.transaction(.malformed(reason: "transaction: \(error)")))
        }
        return try await answer { () async throws(LedgerError) in try await ledger.submit(decoded) }
    }

    private func answer<T>(_ body: () async throws(LedgerError) -> T) async throws(LedgerAccessError) -> T {
        do throws(LedgerError) {
            return try await body()
        } catch {
            throw Self.refusal(error)
        }
    }

    /// The refusal `ledger serve` sends for `error`: its status and `{"code", "message", "marker_index"}`.
    static func refusal(_ error: LedgerError) -> LedgerAccessError {
        .refused(
            status: error.status.code,
            LedgerErrorBody(code: error.code, message: error.description, markerIndex: error.markerIndex))
    }
}
