public import Merkle

/// The ledger's state records as its HTTP API shows them (`GET /v1/blobbers`, `/v1/allocations/{id}`,
/// `/v1/challenges`, `/v1/accounts/{id}`): shared so blobbers and clients decode the same types.

/// A registered storage node and its terms.
public struct BlobberRecord: Hashable, Sendable, Codable {
    public var id: BlobberID
    public var publicKey: PublicKey
    public var url: String
    public var capacity: UInt64
    /// Bytes reserved by live allocations.
    public var used: UInt64
    public var readPrice: UInt64
    public var writePrice: UInt64
    public var region: String
    public var stake: UInt64
    public var registeredAt: Int64

    public init(
        id: BlobberID, publicKey: PublicKey, url: String, capacity: UInt64, used: UInt64, readPrice: UInt64,
        writePrice: UInt64, region: String, stake: UInt64, registeredAt: Int64
    ) {
        self.id = id
        self.publicKey = publicKey
        self.url = url
        self.capacity = capacity
        self.used = used
        self.readPrice = readPrice
        self.writePrice = writePrice
        self.region = region
        self.stake = stake
        self.registeredAt = registeredAt
    }

    enum CodingKeys: String, CodingKey {
        case id, url, capacity, used, region, stake
        case publicKey = "public_key"
        case readPrice = "read_price"
        case writePrice = "write_price"
        case registeredAt = "registered_at"
    }
}

/// An allocation's terms and write pool.
public struct AllocationRecord: Hashable, Sendable, Codable {
    public var id: AllocationID
    public var ownerID: ClientID
    public var ownerKey: PublicKey
    public var dataShards: Int
    public var parityShards: Int
    public var size: UInt64
    /// `ceil(size / data_shards)`: the most each blobber may store.
    public var shardSize: UInt64
    /// The creating transaction's timestamp: markers may not be older.
    public var createdAt: Int64
    public var expiry: Int64
    public var writePool: UInt64
    public var finalized: Bool

    public init(
        id: AllocationID, ownerID: ClientID, ownerKey: PublicKey, dataShards: Int, parityShards: Int, size: UInt64,
        shardSize: UInt64, createdAt: Int64, expiry: Int64, writePool: UInt64, finalized: Bool
    ) {
        self.id = id
        self.ownerID = ownerID
        self.ownerKey = ownerKey
        self.dataShards = dataShards
        self.parityShards = parityShards
        self.size = size
        self.shardSize = shardSize
        self.createdAt = createdAt
        self.expiry = expiry
        self.writePool = writePool
        self.finalized = finalized
    }

    enum CodingKeys: String, CodingKey {
        case id, size, expiry, finalized
        case ownerID = "owner_id"
        case ownerKey = "owner_key"
        case dataShards = "data_shards"
        case parityShards = "parity_shards"
        case shardSize = "shard_size"
        case createdAt = "created_at"
        case writePool = "write_pool"
    }
}

/// One blobber's place in an allocation: its price, its accepted chain head, payments and challenge pool.
public struct AllocationBlobberRecord: Hashable, Sendable, Codable {
    public var allocationID: AllocationID
    public var blobberID: BlobberID
    public var shardIndex: Int
    /// The blobber's write price when the allocation was created (units per GiB).
    public var writePrice: UInt64
    /// The last accepted marker's head (genesis before any).
    public var head: MarkerChainHead
    /// The largest chain_size ever accepted: what has been paid for.
    public var highWater: UInt64
    /// Units taken from the write pool for this blobber so far.
    public var paid: UInt64
    public var challengePool: UInt64

    public init(
        allocationID: AllocationID, blobberID: BlobberID, shardIndex: Int, writePrice: UInt64, head: MarkerChainHead,
        highWater: UInt64, paid: UInt64, challengePool: UInt64
    ) {
        self.allocationID = allocationID
        self.blobberID = blobberID
        self.shardIndex = shardIndex
        self.writePrice = writePrice
        self.head = head
        self.highWater = highWater
        self.paid = paid
        self.challengePool = challengePool
    }

    enum CodingKeys: String, CodingKey {
        case head
        case allocationID = "allocation_id"
        case blobberID = "blobber_id"
        case shardIndex = "shard_index"
        case writePrice = "write_price"
        case highWater = "high_water"
        case paid
        case challengePool = "challenge_pool"
    }
}

/// A storage challenge.
public struct ChallengeRecord: Hashable, Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        case open, passed, failed, timeout
    }

    public var id: Hash
    public var allocationID: AllocationID
    public var blobberID: BlobberID
    /// The allocation root the blobber had last accepted when challenged: the answer is checked against it.
    public var root: Hash
    public var seed: Hash
    public var issuedAt: Int64
    public var deadline: Int64
    public var status: Status

    public init(
        id: Hash, allocationID: AllocationID, blobberID: BlobberID, root: Hash, seed: Hash, issuedAt: Int64,
        deadline: Int64, status: Status
    ) {
        self.id = id
        self.allocationID = allocationID
        self.blobberID = blobberID
        self.root = root
        self.seed = seed
        self.issuedAt = issuedAt
        self.deadline = deadline
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case id, root, seed, deadline, status
        case allocationID = "allocation_id"
        case blobberID = "blobber_id"
        case issuedAt = "issued_at"
    }
}

/// An allocation with its blobbers' places, as `GET /v1/allocations/{id}` shows it.
public struct AllocationView: Hashable, Sendable, Codable {
    public var allocation: AllocationRecord
    public var blobbers: [AllocationBlobberRecord]

    public init(allocation: AllocationRecord, blobbers: [AllocationBlobberRecord]) {
        self.allocation = allocation
        self.blobbers = blobbers
    }
}

/// An account's balance, as `GET /v1/accounts/{id}` shows it.
public struct AccountView: Hashable, Sendable, Codable {
    public var id: Hash
    public var balance: UInt64

    public init(id: Hash, balance: UInt64) {
        self.id = id
        self.balance = balance
    }
}
