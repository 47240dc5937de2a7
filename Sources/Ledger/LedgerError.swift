public import Merkle
public import StorageProtocol

/// Why the ledger refused a transaction or a request. Codes are stable and listed in
/// docs/PROTOCOL.md section 7; the HTTP layer maps `category` to a status in one place.
public enum LedgerError: CodedError, Equatable {
    /// The envelope was refused (malformed, unsigned, badly signed, stale).
    case transaction(TransactionError)
    /// A marker of a submitted chain was refused; `index` is its position in the payload's `markers`.
    case marker(index: Int, MarkerError)
    case bodyTooLarge(limit: Int)
    case faucetDisabled
    case faucetLimit(amount: UInt64, limit: UInt64)
    case supplyOverflow
    case insufficientFunds(account: Hash, balance: UInt64, needed: UInt64)
    case invalidTerms(reason: String)
    case alreadyRegistered(BlobberID)
    case unknownBlobber(BlobberID)
    case unknownAllocation(AllocationID)
    case unknownChallenge(Hash)
    case unknownTransaction(Hash)
    case unknownBlock(UInt64)
    case unknownAccount(Hash)
    case badShards(data: Int, parity: Int, blobbers: Int)
    case duplicateBlobber(BlobberID)
    case insufficientCapacity(blobber: BlobberID, free: UInt64, needed: UInt64)
    case writePoolTooSmall(offered: UInt64, needed: UInt64)
    case expiryInPast(expiry: Int64, now: Int64)
    case notAllocationBlobber(sender: Hash, allocation: AllocationID)
    case allocationExpired(AllocationID, expiry: Int64)
    case allocationFinalized(AllocationID)
    case allocationNotExpired(AllocationID, expiry: Int64)
    case chainAlreadyAccepted(sequence: UInt64)
    case chainConflict(index: Int, sequence: UInt64)
    case systemOnly(TransactionKind)
    case challengeMismatch(reason: String)
    case challengeClosed(Hash)
    case notChallengedBlobber(Hash)
    case challengeNotDue(Hash, deadline: Int64)
    case notOwner(sender: Hash, allocation: AllocationID)
    case notInAllocation(BlobberID, allocation: AllocationID)
    case sizeBelowStored(size: UInt64, shardSize: UInt64, stored: UInt64)
    case ticketRevoked(Hash)
    /// A `peg` whose uri is not 1...2048 bytes (or holds NUL).
    case invalidPeg(reason: String)
    case storage(String)

    /// How the HTTP layer reports the error.
    public enum Category: Sendable {
        case malformed, unauthorized, forbidden, notFound, conflict, tooLarge, refused, internalError
    }

    public var code: String {
        switch self {
        case .transaction(let error): error.code
        case .marker(_, let error): error.code
        case .bodyTooLarge: "ledger.body_too_large"
        case .faucetDisabled: "ledger.faucet_disabled"
        case .faucetLimit: "ledger.faucet_limit"
        case .supplyOverflow: "ledger.supply_overflow"
        case .insufficientFunds: "ledger.insufficient_funds"
        case .invalidTerms: "ledger.invalid_terms"
        case .alreadyRegistered: "ledger.already_registered"
        case .ticketRevoked: "ledger.ticket_revoked"
        case .invalidPeg: "ledger.invalid_peg"
        case .unknownBlobber: "ledger.unknown_blobber"
        case .unknownAllocation: "ledger.unknown_allocation"
        case .unknownChallenge: "ledger.unknown_challenge"
        case .unknownTransaction: "ledger.unknown_transaction"
        case .unknownBlock: "ledger.unknown_block"
        case .unknownAccount: "ledger.unknown_account"
        case .badShards: "ledger.bad_shards"
        case .duplicateBlobber: "ledger.duplicate_blobber"
        case .insufficientCapacity: "ledger.insufficient_capacity"
        case .writePoolTooSmall: "ledger.write_pool_too_small"
        case .expiryInPast: "ledger.expiry_in_past"
        case .notAllocationBlobber: "ledger.not_allocation_blobber"
        case .allocationExpired: "ledger.allocation_expired"
        case .allocationFinalized: "ledger.allocation_finalized"
        case .allocationNotExpired: "ledger.allocation_not_expired"
        case .chainAlreadyAccepted: "ledger.chain_already_accepted"
        case .chainConflict: "ledger.chain_conflict"
        case .systemOnly: "ledger.system_only"
        case .challengeMismatch: "ledger.challenge_mismatch"
        case .challengeClosed: "ledger.challenge_closed"
        case .notChallengedBlobber: "ledger.not_challenged_blobber"
        case .challengeNotDue: "ledger.challenge_not_due"
        case .notOwner: "ledger.not_owner"
        case .notInAllocation: "ledger.not_in_allocation"
        case .sizeBelowStored: "ledger.size_below_stored"
        case .storage: "ledger.storage"
        }
    }

    public var category: Category {
        switch self {
        case .transaction(.malformed): .malformed
        case .transaction(.missingSignature), .transaction(.badSignature): .unauthorized
        case .transaction(.staleTimestamp): .refused
        case .marker: .refused
        case .bodyTooLarge: .tooLarge
        case .faucetDisabled, .systemOnly, .notAllocationBlobber, .notChallengedBlobber, .notOwner: .forbidden
        case .unknownBlobber, .unknownAllocation, .unknownChallenge, .unknownTransaction, .unknownBlock,
            .unknownAccount:
            .notFound
        case .alreadyRegistered, .allocationExpired, .allocationFinalized, .allocationNotExpired,
            .chainAlreadyAccepted, .chainConflict, .challengeClosed, .challengeNotDue, .ticketRevoked:
            .conflict
        case .faucetLimit, .supplyOverflow, .insufficientFunds, .invalidTerms, .badShards, .duplicateBlobber,
            .insufficientCapacity, .writePoolTooSmall, .expiryInPast, .challengeMismatch, .notInAllocation,
            .sizeBelowStored, .invalidPeg:
            .refused
        case .storage: .internalError
        }
    }

    /// The index of the refused marker, for `marker.*` codes.
    public var markerIndex: Int? {
        if case .marker(let index, _) = self { return index }
        return nil
    }

    public var description: String {
        switch self {
        case .transaction(let error): error.description
        case .marker(let index, let error): "marker \(index): \(error.description)"
        case .bodyTooLarge(let limit): "the request body exceeds the limit of \(limit) bytes"
        case .faucetDisabled: "this ledger runs without a faucet"
        case .faucetLimit(let amount, let limit): "faucet amount \(amount) exceeds the per-transaction limit \(limit)"
        case .supplyOverflow: "minting this would overflow the total supply"
        case .insufficientFunds(let account, let balance, let needed):
            "account \(account) holds \(balance) units, \(needed) needed"
        case .invalidTerms(let reason): "invalid terms: \(reason)"
        case .alreadyRegistered(let id): "blobber \(id) is already registered"
        case .unknownBlobber(let id): "no blobber \(id)"
        case .unknownAllocation(let id): "no allocation \(id)"
        case .unknownChallenge(let id): "no challenge \(id)"
        case .unknownTransaction(let hash): "no transaction \(hash)"
        case .unknownBlock(let height): "no block \(height)"
        case .unknownAccount(let id): "no account \(id)"
        case .badShards(let data, let parity, let blobbers):
            "\(data) data + \(parity) parity shards need as many distinct blobbers, got \(blobbers) (data ≥ 1, parity ≥ 0, total ≤ 256)"
        case .duplicateBlobber(let id): "blobber \(id) is listed twice"
        case .insufficientCapacity(let blobber, let free, let needed):
            "blobber \(blobber) has \(free) bytes free, the allocation needs \(needed) per blobber"
        case .writePoolTooSmall(let offered, let needed): "write pool \(offered) is below the price \(needed)"
        case .expiryInPast(let expiry, let now): "expiry \(expiry) is not after now (\(now))"
        case .notAllocationBlobber(let sender, let allocation):
            "\(sender) is not a blobber of allocation \(allocation) or not the markers' blobber"
        case .allocationExpired(let id, let expiry): "allocation \(id) expired at \(expiry)"
        case .allocationFinalized(let id): "allocation \(id) is finalized"
        case .ticketRevoked(let hash): "ticket \(hash) is already revoked"
        case .invalidPeg(let reason): "invalid peg: \(reason)"
        case .allocationNotExpired(let id, let expiry): "allocation \(id) runs until \(expiry)"
        case .chainAlreadyAccepted(let sequence):
            "every marker of this chain was already accepted (head sequence \(sequence))"
        case .chainConflict(let index, let sequence):
            "marker \(index) (sequence \(sequence)) differs from the marker already accepted at that sequence"
        case .systemOnly(let kind): "\(kind.rawValue) transactions are signed by the ledger only"
        case .challengeMismatch(let reason): "the challenge does not match the ledger's choice: \(reason)"
        case .challengeClosed(let id): "challenge \(id) is not open"
        case .notChallengedBlobber(let sender): "\(sender) is not the challenged blobber"
        case .challengeNotDue(let id, let deadline): "challenge \(id) is open until \(deadline)"
        case .notOwner(let sender, let allocation): "\(sender) is not the owner of allocation \(allocation)"
        case .notInAllocation(let blobber, let allocation): "blobber \(blobber) is not in allocation \(allocation)"
        case .sizeBelowStored(let size, let shardSize, let stored):
            "size \(size) (\(shardSize) bytes per blobber) is below the \(stored) bytes a blobber already stores"
        case .storage(let reason): "storage failure: \(reason)"
        }
    }
}
