public import Merkle

/// `faucet`: mints `amount` units to the sender (test networks only).
public struct FaucetPayload: Hashable, Sendable, Codable {
    public var amount: UInt64
    public init(amount: UInt64) { self.amount = amount }
}

/// `register_blobber`: a storage node offers `capacity` bytes at its prices (units per GiB) and
/// locks `stake` units from its balance.
public struct RegisterBlobberPayload: Hashable, Sendable, Codable {
    public var url: String
    public var capacity: UInt64
    public var readPrice: UInt64
    public var writePrice: UInt64
    public var region: String
    public var stake: UInt64

    public init(url: String, capacity: UInt64, readPrice: UInt64, writePrice: UInt64, region: String, stake: UInt64) {
        self.url = url
        self.capacity = capacity
        self.readPrice = readPrice
        self.writePrice = writePrice
        self.region = region
        self.stake = stake
    }

    enum CodingKeys: String, CodingKey {
        case url, capacity, region, stake
        case readPrice = "read_price"
        case writePrice = "write_price"
    }
}

/// `update_blobber`: changes a registered blobber's terms; absent fields stay as they are, and
/// `stake` is added to the stake from the balance. Existing allocations keep the price they were made at.
public struct UpdateBlobberPayload: Hashable, Sendable, Codable {
    public var url: String?
    public var capacity: UInt64?
    public var readPrice: UInt64?
    public var writePrice: UInt64?
    public var region: String?
    public var stake: UInt64?

    public init(
        url: String? = nil, capacity: UInt64? = nil, readPrice: UInt64? = nil, writePrice: UInt64? = nil,
        region: String? = nil, stake: UInt64? = nil
    ) {
        self.url = url
        self.capacity = capacity
        self.readPrice = readPrice
        self.writePrice = writePrice
        self.region = region
        self.stake = stake
    }

    enum CodingKeys: String, CodingKey {
        case url, capacity, region, stake
        case readPrice = "read_price"
        case writePrice = "write_price"
    }
}

/// `create_allocation`: the sender buys `size` bytes on `blobbers` (shard order) until `expiry`
/// (Unix ms), locking `write_pool` units. The allocation's id is this transaction's hash.
public struct CreateAllocationPayload: Hashable, Sendable, Codable {
    public var dataShards: Int
    public var parityShards: Int
    public var size: UInt64
    public var expiry: Int64
    public var blobbers: [BlobberID]
    public var writePool: UInt64

    public init(
        dataShards: Int, parityShards: Int, size: UInt64, expiry: Int64, blobbers: [BlobberID], writePool: UInt64
    ) {
        self.dataShards = dataShards
        self.parityShards = parityShards
        self.size = size
        self.expiry = expiry
        self.blobbers = blobbers
        self.writePool = writePool
    }

    enum CodingKeys: String, CodingKey {
        case size, expiry, blobbers
        case dataShards = "data_shards"
        case parityShards = "parity_shards"
        case writePool = "write_pool"
    }

    /// Bytes each blobber stores at most: `ceil(size / data_shards)`.
    public var shardSize: UInt64 {
        guard dataShards > 0 else { return 0 }
        let k = UInt64(dataShards)
        return size / k + (size % k == 0 ? 0 : 1)
    }
}

/// `submit_chain`: a blobber submits write markers for one allocation, in sequence order.
public struct SubmitChainPayload: Hashable, Sendable, Codable {
    public var allocationID: AllocationID
    public var markers: [WriteMarker]

    public init(allocationID: AllocationID, markers: [WriteMarker]) {
        self.allocationID = allocationID
        self.markers = markers
    }

    enum CodingKeys: String, CodingKey {
        case allocationID = "allocation_id"
        case markers
    }
}

/// `finalize_allocation`: anyone, once the allocation has expired.
public struct FinalizeAllocationPayload: Hashable, Sendable, Codable {
    public var allocationID: AllocationID
    public init(allocationID: AllocationID) { self.allocationID = allocationID }
    enum CodingKeys: String, CodingKey { case allocationID = "allocation_id" }
}

/// `update_allocation`: the owner changes a live allocation. Every field but `allocation_id` is optional;
/// at least one must be given. Applied in this order: `write_pool` (moved from the owner's balance into
/// the allocation), `expiry`, `size`, `replace`, `add_blobber`; then the write pool must still cover every
/// member filling its whole shard (docs/PROTOCOL.md section 7.2, "Changing an allocation").
public struct UpdateAllocationPayload: Hashable, Sendable, Codable {
    public var allocationID: AllocationID
    /// A later expiry (Unix ms).
    public var expiry: Int64?
    /// The new size in bytes; the shard size follows (`ceil(size / data_shards)`).
    public var size: UInt64?
    /// A blobber added as one more parity shard, at the next shard index.
    public var addBlobber: BlobberID?
    /// A blobber replaced by another at the same shard index.
    public var replace: BlobberReplacement?
    /// Units added to the write pool from the owner's balance.
    public var writePool: UInt64?

    public init(
        allocationID: AllocationID, expiry: Int64? = nil, size: UInt64? = nil, addBlobber: BlobberID? = nil,
        replace: BlobberReplacement? = nil, writePool: UInt64? = nil
    ) {
        self.allocationID = allocationID
        self.expiry = expiry
        self.size = size
        self.addBlobber = addBlobber
        self.replace = replace
        self.writePool = writePool
    }

    enum CodingKeys: String, CodingKey {
        case expiry, size, replace
        case allocationID = "allocation_id"
        case addBlobber = "add_blobber"
        case writePool = "write_pool"
    }
}

/// `{"from","to"}`: `to` takes `from`'s shard index and starts empty.
public struct BlobberReplacement: Hashable, Sendable, Codable {
    public var from: BlobberID
    public var to: BlobberID
    public init(from: BlobberID, to: BlobberID) {
        self.from = from
        self.to = to
    }
}

/// `cancel_allocation`: the owner ends a live allocation now.
public struct CancelAllocationPayload: Hashable, Sendable, Codable {
    public var allocationID: AllocationID
    public init(allocationID: AllocationID) { self.allocationID = allocationID }
    enum CodingKeys: String, CodingKey { case allocationID = "allocation_id" }
}

/// `revoke_ticket`: the owner revokes a share ticket of its allocation; blobbers refuse it from then on.
public struct RevokeTicketPayload: Hashable, Sendable, Codable {
    public var allocationID: AllocationID
    /// The ticket's hash (docs/PROTOCOL.md section 2, "Share tickets").
    public var ticketHash: Hash
    public init(allocationID: AllocationID, ticketHash: Hash) {
        self.allocationID = allocationID
        self.ticketHash = ticketHash
    }
    enum CodingKeys: String, CodingKey {
        case allocationID = "allocation_id"
        case ticketHash = "ticket_hash"
    }
}

/// `GET /v1/allocations/{id}/revocations`: the hashes of the allocation's revoked tickets, in hash order.
public struct RevokedTickets: Hashable, Sendable, Codable {
    public var allocationID: AllocationID
    public var revoked: [Hash]
    public init(allocationID: AllocationID, revoked: [Hash]) {
        self.allocationID = allocationID
        self.revoked = revoked
    }
    enum CodingKeys: String, CodingKey {
        case allocationID = "allocation_id"
        case revoked
    }
}

/// `issue_challenge` (system): the ledger challenges `blobber_id` to prove it holds the data of
/// `allocation_id` under `root`, the latest root it had accepted.
public struct IssueChallengePayload: Hashable, Sendable, Codable {
    public var challengeID: Hash
    public var allocationID: AllocationID
    public var blobberID: BlobberID
    public var root: Hash
    public var seed: Hash
    /// Unix ms after which an unanswered challenge times out.
    public var deadline: Int64

    public init(
        challengeID: Hash, allocationID: AllocationID, blobberID: BlobberID, root: Hash, seed: Hash, deadline: Int64
    ) {
        self.challengeID = challengeID
        self.allocationID = allocationID
        self.blobberID = blobberID
        self.root = root
        self.seed = seed
        self.deadline = deadline
    }

    enum CodingKeys: String, CodingKey {
        case challengeID = "challenge_id"
        case allocationID = "allocation_id"
        case blobberID = "blobber_id"
        case root, seed, deadline
    }
}

/// `challenge_timeout` (system): an open challenge passed its deadline unanswered.
public struct ChallengeTimeoutPayload: Hashable, Sendable, Codable {
    public var challengeID: Hash
    public init(challengeID: Hash) { self.challengeID = challengeID }
    enum CodingKeys: String, CodingKey { case challengeID = "challenge_id" }
}
