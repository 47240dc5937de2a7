public import Merkle
public import StorageProtocol

/// What blobbers and clients ask of the ledger (docs/PROTOCOL.md section 7): `HTTPLedger` over the
/// network, `InProcessLedger` (in the Ledger target) over a `Ledger` in the same process.
///
/// "Unknown" has one meaning in every implementation: the ledger's refusal with status 404 and the
/// documented code (section 7.8) — `ledger.unknown_allocation` makes `allocation(_:)` nil,
/// `ledger.unknown_blobber` makes `blobber(_:)` nil, `ledger.unknown_transaction` makes `transaction(_:)`
/// nil, and `ledger.unknown_account` (an account that never held anything) makes `balance(of:)` 0. Every
/// other refusal is thrown as `LedgerAccessError.refused`, and no answer at all as `.unreachable`.
public protocol LedgerAccess: Sendable {
    /// The allocation with its blobbers, or nil when the ledger does not know it.
    func allocation(_ id: AllocationID) async throws(LedgerAccessError) -> AllocationView?

    /// The registered blobber, or nil when the ledger does not know it.
    func blobber(_ id: BlobberID) async throws(LedgerAccessError) -> BlobberRecord?

    /// Every registered blobber.
    func blobbers() async throws(LedgerAccessError) -> [BlobberRecord]

    /// The account's balance in units; 0 for an account that never held anything.
    func balance(of account: Hash) async throws(LedgerAccessError) -> UInt64

    /// The hashes of the allocation's revoked share tickets, or nil when the ledger does not know it.
    func revokedTickets(of allocation: AllocationID) async throws(LedgerAccessError) -> [Hash]?

    /// The challenges addressed to `blobber` in `status`, oldest first.
    func challenges(for blobber: BlobberID, status: ChallengeRecord.Status) async throws(LedgerAccessError)
        -> [ChallengeRecord]

    /// The stored transaction `hash` with its receipt, or nil when the ledger does not know it
    /// (`ledger.unknown_transaction`). The answer is as the ledger sent it: check it before trusting it.
    func transaction(_ hash: Hash) async throws(LedgerAccessError) -> TransactionView?

    /// Submits a signed transaction; its receipt, or `.refused` with the ledger's code.
    func submit(_ transaction: LedgerTransaction) async throws(LedgerAccessError) -> TransactionReceipt
}

extension LedgerAccess {
    /// The challenges addressed to `blobber` that are still open.
    public func openChallenges(for blobber: BlobberID) async throws(LedgerAccessError) -> [ChallengeRecord] {
        try await challenges(for: blobber, status: .open)
    }
}
