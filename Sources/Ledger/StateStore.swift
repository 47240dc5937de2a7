import Foundation
import GRDB
import Merkle
import StorageProtocol

/// Typed reads and writes of the state tables inside one database transaction. Every write also
/// feeds the row's canonical encoding into `effects`, so each transaction ends with a digest of
/// exactly what it changed (docs/PROTOCOL.md section 7, "Effects digest").
struct StateStore {
    let db: Database
    var effects: EffectsDigest

    init(db: Database, appliedAt: Int64 = 0) {
        self.db = db
        effects = EffectsDigest(appliedAt: appliedAt)
    }

    // MARK: supply and accounts

    func minted() throws -> UInt64 {
        let value = try Int64.fetchOne(db.cachedStatement(sql: "SELECT minted FROM supply WHERE id = 0")) ?? 0
        return UInt64(value)
    }

    mutating func setMinted(_ minted: UInt64) throws {
        try db.cachedStatement(sql: "UPDATE supply SET minted = ? WHERE id = 0").execute(arguments: [Int64(minted)])
        effects.row(tag: .supply) { $0.u64(minted) }
    }

    func balance(of account: Hash) throws -> UInt64 {
        let value = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT balance FROM accounts WHERE id = ?"), arguments: [account.blob])
        return UInt64(value ?? 0)
    }

    mutating func setBalance(of account: Hash, to balance: UInt64) throws {
        try db.cachedStatement(
            sql: "INSERT INTO accounts (id, balance) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET balance = excluded.balance"
        ).execute(arguments: [account.blob, Int64(balance)])
        effects.row(tag: .account) {
            $0.hash(account)
            $0.u64(balance)
        }
    }

    mutating func credit(_ account: Hash, _ amount: UInt64) throws {
        guard amount > 0 else { return }
        try setBalance(of: account, to: try balance(of: account) + amount)
    }

    /// Takes `amount` from `account`, refusing when the balance is short.
    mutating func debit(_ account: Hash, _ amount: UInt64) throws {
        guard amount > 0 else { return }
        let current = try balance(of: account)
        guard current >= amount else {
            throw LedgerError.insufficientFunds(account: account, balance: current, needed: amount)
        }
        try setBalance(of: account, to: current - amount)
    }

    // MARK: blobbers

    func blobber(_ id: BlobberID) throws -> BlobberRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM blobbers WHERE id = ?"), arguments: [id.hash.blob])
            .map(BlobberRecord.init(row:))
    }

    mutating func save(_ blobber: BlobberRecord) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO blobbers
                (id, public_key, url, capacity, used, read_price, write_price, region, stake, registered_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            blobber.id.hash.blob, Data(blobber.publicKey.bytes), blobber.url, Int64(blobber.capacity),
            Int64(blobber.used), Int64(blobber.readPrice), Int64(blobber.writePrice), blobber.region,
            Int64(blobber.stake), blobber.registeredAt,
        ])
        effects.row(tag: .blobber) {
            $0.hash(blobber.id.hash)
            $0.bytes(blobber.publicKey.bytes)
            $0.string(blobber.url)
            $0.u64(blobber.capacity)
            $0.u64(blobber.used)
            $0.u64(blobber.readPrice)
            $0.u64(blobber.writePrice)
            $0.string(blobber.region)
            $0.u64(blobber.stake)
            $0.i64(blobber.registeredAt)
        }
    }

    // MARK: allocations

    func allocation(_ id: AllocationID) throws -> AllocationRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM allocations WHERE id = ?"), arguments: [id.hash.blob])
            .map(AllocationRecord.init(row:))
    }

    mutating func save(_ allocation: AllocationRecord) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO allocations
                (id, owner_id, owner_key, data_shards, parity_shards, size, shard_size, created_at, expiry,
                 write_pool, finalized)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            allocation.id.hash.blob, allocation.ownerID.hash.blob, Data(allocation.ownerKey.bytes),
            allocation.dataShards, allocation.parityShards, Int64(allocation.size), Int64(allocation.shardSize),
            allocation.createdAt, allocation.expiry, Int64(allocation.writePool), allocation.finalized ? 1 : 0,
        ])
        effects.row(tag: .allocation) {
            $0.hash(allocation.id.hash)
            $0.hash(allocation.ownerID.hash)
            $0.bytes(allocation.ownerKey.bytes)
            $0.u32(UInt32(allocation.dataShards))
            $0.u32(UInt32(allocation.parityShards))
            $0.u64(allocation.size)
            $0.u64(allocation.shardSize)
            $0.i64(allocation.createdAt)
            $0.i64(allocation.expiry)
            $0.u64(allocation.writePool)
            $0.u8(allocation.finalized ? 1 : 0)
        }
    }

    func allocationBlobber(_ allocation: AllocationID, _ blobber: BlobberID) throws -> AllocationBlobberRecord? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM allocation_blobbers WHERE allocation_id = ? AND blobber_id = ?"),
            arguments: [allocation.hash.blob, blobber.hash.blob]
        ).map(AllocationBlobberRecord.init(row:))
    }

    func allocationBlobbers(of allocation: AllocationID) throws -> [AllocationBlobberRecord] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM allocation_blobbers WHERE allocation_id = ? ORDER BY shard_index"),
            arguments: [allocation.hash.blob]
        ).map(AllocationBlobberRecord.init(row:))
    }

    mutating func save(_ record: AllocationBlobberRecord) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO allocation_blobbers
                (allocation_id, blobber_id, shard_index, write_price, sequence, allocation_root, chain_hash,
                 chain_size, marker_timestamp, high_water, paid, challenge_pool)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            record.allocationID.hash.blob, record.blobberID.hash.blob, record.shardIndex, Int64(record.writePrice),
            Int64(record.head.sequence), record.head.allocationRoot.blob, record.head.chainHash?.blob,
            Int64(record.head.chainSize), record.head.timestamp, Int64(record.highWater), Int64(record.paid),
            Int64(record.challengePool),
        ])
        effects.row(tag: .allocationBlobber) {
            $0.hash(record.allocationID.hash)
            $0.hash(record.blobberID.hash)
            $0.u32(UInt32(record.shardIndex))
            $0.u64(record.writePrice)
            $0.u64(record.head.sequence)
            $0.hash(record.head.allocationRoot)
            $0.hash(record.head.chainHash ?? .zero)
            $0.u64(record.head.chainSize)
            $0.i64(record.head.timestamp)
            $0.u64(record.highWater)
            $0.u64(record.paid)
            $0.u64(record.challengePool)
        }
    }

    /// Removes a blobber from an allocation (it was replaced).
    mutating func delete(_ record: AllocationBlobberRecord) throws {
        try db.cachedStatement(sql: "DELETE FROM allocation_blobbers WHERE allocation_id = ? AND blobber_id = ?")
            .execute(arguments: [record.allocationID.hash.blob, record.blobberID.hash.blob])
        effects.row(tag: .allocationBlobberRemoved) {
            $0.hash(record.allocationID.hash)
            $0.hash(record.blobberID.hash)
        }
    }

    /// True when `blobber` ever had a marker accepted in `allocation` (a former member).
    func hasMarkers(_ allocation: AllocationID, _ blobber: BlobberID) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM markers WHERE allocation_id = ? AND blobber_id = ?)"),
            arguments: [allocation.hash.blob, blobber.hash.blob]) ?? false
    }

    // MARK: markers

    /// The hash of the accepted marker at `sequence`, if any.
    func markerHash(_ allocation: AllocationID, _ blobber: BlobberID, sequence: UInt64) throws -> Hash? {
        try Data.fetchOne(
            db.cachedStatement(
                sql: "SELECT hash FROM markers WHERE allocation_id = ? AND blobber_id = ? AND sequence = ?"),
            arguments: [allocation.hash.blob, blobber.hash.blob, Int64(sequence)]
        ).flatMap { Hash(bytes: $0) }
    }

    mutating func insertMarker(_ allocation: AllocationID, _ blobber: BlobberID, sequence: UInt64, hash: Hash) throws {
        try db.cachedStatement(
            sql: "INSERT INTO markers (allocation_id, blobber_id, sequence, hash) VALUES (?, ?, ?, ?)"
        ).execute(arguments: [allocation.hash.blob, blobber.hash.blob, Int64(sequence), hash.blob])
        effects.row(tag: .marker) {
            $0.hash(allocation.hash)
            $0.hash(blobber.hash)
            $0.u64(sequence)
            $0.hash(hash)
        }
    }

    // MARK: revoked tickets

    func isRevoked(_ allocation: AllocationID, ticket: Hash) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(
                sql: "SELECT EXISTS (SELECT 1 FROM ticket_revocations WHERE allocation_id = ? AND ticket_hash = ?)"),
            arguments: [allocation.hash.blob, ticket.blob]) ?? false
    }

    mutating func insertRevocation(_ allocation: AllocationID, ticket: Hash) throws {
        let revokedAt = effects.appliedAt
        try db.cachedStatement(
            sql: "INSERT INTO ticket_revocations (allocation_id, ticket_hash, revoked_at) VALUES (?, ?, ?)"
        ).execute(arguments: [allocation.hash.blob, ticket.blob, revokedAt])
        effects.row(tag: .ticketRevocation) {
            $0.hash(allocation.hash)
            $0.hash(ticket)
            $0.i64(revokedAt)
        }
    }

    func revokedTickets(of allocation: AllocationID) throws -> [Hash] {
        try Data.fetchAll(
            db.cachedStatement(
                sql: "SELECT ticket_hash FROM ticket_revocations WHERE allocation_id = ? ORDER BY ticket_hash"),
            arguments: [allocation.hash.blob]
        ).compactMap { Hash(bytes: $0) }
    }

    // MARK: challenges

    func challenge(_ id: Hash) throws -> ChallengeRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM challenges WHERE id = ?"), arguments: [id.blob])
            .map(ChallengeRecord.init(row:))
    }

    mutating func save(_ challenge: ChallengeRecord) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO challenges
                (id, allocation_id, blobber_id, root, seed, issued_at, deadline, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            challenge.id.blob, challenge.allocationID.hash.blob, challenge.blobberID.hash.blob, challenge.root.blob,
            challenge.seed.blob, challenge.issuedAt, challenge.deadline, challenge.status.rawValue,
        ])
        effects.row(tag: .challenge) {
            $0.hash(challenge.id)
            $0.hash(challenge.allocationID.hash)
            $0.hash(challenge.blobberID.hash)
            $0.hash(challenge.root)
            $0.hash(challenge.seed)
            $0.i64(challenge.issuedAt)
            $0.i64(challenge.deadline)
            $0.string(challenge.status.rawValue)
        }
    }

    /// Every (allocation, blobber) of a live allocation storing data, sorted by (allocation_id, blobber_id).
    func challengeCandidates(now: Int64) throws -> [AllocationBlobberRecord] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT ab.* FROM allocation_blobbers ab JOIN allocations a ON a.id = ab.allocation_id
                    WHERE a.finalized = 0 AND a.expiry > ? AND ab.chain_size > 0
                    ORDER BY ab.allocation_id, ab.blobber_id
                    """),
            arguments: [now]
        ).map(AllocationBlobberRecord.init(row:))
    }

    /// The hash of the latest sealed block.
    func latestBlockHash() throws -> Hash {
        let data = try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM blocks ORDER BY height DESC LIMIT 1"))
        return data.flatMap { Hash(bytes: $0) } ?? .zero
    }
}

extension Hash {
    /// The 32 bytes as an SQLite blob.
    var blob: Data { withUnsafeBytes { Data($0) } }
}
