public import Merkle

/// What `POST /v1/transactions` answers for an accepted transaction, and `GET /v1/transactions/{hash}`.
public struct TransactionReceipt: Hashable, Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Applied by this submission.
        case applied
        /// The same transaction (same hash) was applied before; this is the original receipt and nothing was applied again.
        case duplicate
    }

    public var hash: Hash
    public var status: Status
    /// The block the transaction belongs to (the open block when it was applied).
    public var block: UInt64
    public var result: TransactionResult

    public init(hash: Hash, status: Status, block: UInt64, result: TransactionResult) {
        self.hash = hash
        self.status = status
        self.block = block
        self.result = result
    }
}

/// The effects of an applied transaction; only the fields that concern its kind are present.
public struct TransactionResult: Hashable, Sendable, Codable {
    /// faucet: the sender's balance afterwards.
    public var balance: UInt64?
    /// register_blobber, update_blobber: the blobber's id.
    public var blobberID: BlobberID?
    /// create_allocation: the new allocation's id (= the transaction hash).
    public var allocationID: AllocationID?
    /// submit_chain: markers newly accepted, markers skipped as already accepted, the head's sequence afterwards.
    public var markersAccepted: Int?
    public var markersSkipped: Int?
    public var sequence: UInt64?
    /// submit_chain: units paid to the blobber's balance and into its challenge pool.
    public var paid: UInt64?
    public var pooled: UInt64?
    /// issue_challenge, challenge_response, challenge_timeout.
    public var challengeID: Hash?
    public var passed: Bool?
    /// challenge_response: units released from the challenge pool to the blobber.
    public var released: UInt64?
    /// failed challenge or timeout: stake units moved to the allocation owner.
    public var slashed: UInt64?
    /// finalize_allocation: units returned to the owner from the write pool, and paid out of challenge pools.
    public var refunded: UInt64?
    /// A failed challenge's reason code.
    public var reason: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case balance, sequence, paid, pooled, passed, released, slashed, refunded, reason
        case blobberID = "blobber_id"
        case allocationID = "allocation_id"
        case markersAccepted = "markers_accepted"
        case markersSkipped = "markers_skipped"
        case challengeID = "challenge_id"
    }
}

/// A stored transaction with its receipt, as `GET /v1/transactions/{hash}` shows it.
public struct TransactionView: Hashable, Sendable, Codable {
    public var transaction: LedgerTransaction
    public var receipt: TransactionReceipt
    /// The ledger's clock when it applied the transaction (Unix ms).
    public var appliedAt: Int64

    public init(transaction: LedgerTransaction, receipt: TransactionReceipt, appliedAt: Int64) {
        self.transaction = transaction
        self.receipt = receipt
        self.appliedAt = appliedAt
    }

    enum CodingKeys: String, CodingKey {
        case transaction, receipt
        case appliedAt = "applied_at"
    }
}
