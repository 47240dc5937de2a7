import Foundation
import GRDB
import Merkle
public import StorageProtocol

/// What a blobber keeps of an allocation's terms (from the ledger) .
public struct AllocationInfo: Sendable, Hashable {
    public var id: AllocationID
    public var blobberID: BlobberID
    public var ownerKey: PublicKey
    public var dataShards: Int
    public var size: UInt64
    /// `ceil(size / data_shards)`: the most this blobber stores for the allocation.
    public var share: UInt64
    public var createdAt: Int64
    public var expiry: Int64

    public init(
        id: AllocationID, blobberID: BlobberID, ownerKey: PublicKey, dataShards: Int, size: UInt64, share: UInt64,
        createdAt: Int64, expiry: Int64
    ) {
        self.id = id
        self.blobberID = blobberID
        self.ownerKey = ownerKey
        self.dataShards = dataShards
        self.size = size
        self.share = share
        self.createdAt = createdAt
        self.expiry = expiry
    }
}

/// The persisted state of one allocation: its head, latest marker and undo step.
struct PersistedHead: Sendable {
    var head: BlobberHead
    var marker: WriteMarker?
    var undoSequence: UInt64
    var undoSize: Int64
}

extension BlobberDatabase {
    func insertAllocation(_ info: AllocationInfo) throws {
        try writer.write { db in try Self.insertAllocation(info, db) }
    }

    /// Records the terms the ledger now gives an allocation (after `update_allocation` or a cancel).
    func updateTerms(_ id: AllocationID, size: UInt64, share: UInt64, expiry: Int64) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE allocation SET size = ?, share = ?, expiry = ? WHERE id = ?",
                arguments: [Int64(size), Int64(share), expiry, id.hex])
        }
    }

    /// The same, without holding a thread of the cooperative pool while SQLite works.
    func insertAllocation(_ info: AllocationInfo) async throws {
        try await writer.write { db in try Self.insertAllocation(info, db) }
    }

    private static func insertAllocation(_ info: AllocationInfo, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO allocation (id, owner_key, data_shards, size, share, created_at, expiry,
                  sequence, allocation_root, file_meta_root, chain_hash, chain_size, head_timestamp,
                  undo_sequence, undo_size)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, NULL, 0, ?, 0, 0)
                """,
            arguments: [
                info.id.hex, info.ownerKey.hex, info.dataShards, Int64(info.size), Int64(info.share),
                info.createdAt, info.expiry, Hash.zero.hex, Hash.zero.hex, Int64.min,
            ])
    }

    func allocationIDs() throws -> [AllocationID] {
        try writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM allocation").compactMap { AllocationID(hex: $0) }
        }
    }

    func allocation(_ id: AllocationID, blobber: BlobberID) throws -> (AllocationInfo, PersistedHead)? {
        try writer.read { db in try Self.allocation(id, blobber: blobber, db) }
    }

    /// The same, without holding a thread of the cooperative pool while SQLite works.
    func allocation(_ id: AllocationID, blobber: BlobberID) async throws -> (AllocationInfo, PersistedHead)? {
        try await writer.read { db in try Self.allocation(id, blobber: blobber, db) }
    }

    private static func allocation(_ id: AllocationID, blobber: BlobberID, _ db: Database) throws -> (
        AllocationInfo, PersistedHead
    )? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM allocation WHERE id = ?", arguments: [id.hex])
        else { return nil }
        let info = AllocationInfo(
            id: id, blobberID: blobber, ownerKey: try PublicKey(hex: row["owner_key"]),
            dataShards: row["data_shards"], size: UInt64(row["size"] as Int64),
            share: UInt64(row["share"] as Int64), createdAt: row["created_at"], expiry: row["expiry"])
        let head = BlobberHead(
            sequence: UInt64(row["sequence"] as Int64), allocationRoot: Self.hash(row["allocation_root"]),
            fileMetaRoot: Self.hash(row["file_meta_root"]),
            chainHash: (row["chain_hash"] as String?).flatMap { Hash(hex: $0) },
            chainSize: UInt64(row["chain_size"] as Int64), timestamp: row["head_timestamp"])
        var marker: WriteMarker?
        if head.sequence > 0,
            let data = try Data.fetchOne(
                db, sql: "SELECT json FROM marker WHERE allocation_id = ? AND sequence = ?",
                arguments: [id.hex, Int64(head.sequence)])
        {
            marker = try JSONDecoder().decode(WriteMarker.self, from: data)
        }
        return (
            info,
            PersistedHead(
                head: head, marker: marker, undoSequence: UInt64(row["undo_sequence"] as Int64),
                undoSize: row["undo_size"])
        )
    }

    static func hash(_ text: String) -> Hash { Hash(hex: text) ?? .zero }

    static func entry(_ row: Row) -> FileEntry {
        FileEntry(
            path: row["path"], size: row["size"], contentHash: hash(row["content_hash"]),
            shardRoot: hash(row["shard_root"]), blockCount: UInt64(row["block_count"] as Int64),
            encryption: [UInt8](row["encryption"] as Data), createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    static func insert(_ entry: FileEntry, allocation: AllocationID, sequence: UInt64, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO entry (allocation_id, path, size, content_hash, shard_root, block_count, encryption,
                  created_at, updated_at, added_seq, removed_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
                """,
            arguments: [
                allocation.hex, entry.path, entry.size, entry.contentHash.hex, entry.shardRoot.hex,
                Int64(entry.blockCount), Data(entry.encryption), entry.createdAt, entry.updatedAt, Int64(sequence),
            ])
    }

    /// The entries valid at marker `sequence` (the current ones when `sequence` is nil).
    func entries(_ allocation: AllocationID, at sequence: UInt64? = nil) throws -> [FileEntry] {
        try writer.read { db in try Self.entries(allocation, at: sequence, db) }
    }

    /// The same, without holding a thread of the cooperative pool while SQLite works.
    func entries(_ allocation: AllocationID, at sequence: UInt64? = nil) async throws -> [FileEntry] {
        try await writer.read { db in try Self.entries(allocation, at: sequence, db) }
    }

    private static func entries(_ allocation: AllocationID, at sequence: UInt64?, _ db: Database) throws
        -> [FileEntry]
    {
        if let sequence {
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM entry WHERE allocation_id = ? AND added_seq <= ?
                      AND (removed_seq IS NULL OR removed_seq > ?)
                    """, arguments: [allocation.hex, Int64(sequence), Int64(sequence)]
            ).map(Self.entry)
        }
        return try Row.fetchAll(
            db, sql: "SELECT * FROM entry WHERE allocation_id = ? AND removed_seq IS NULL",
            arguments: [allocation.hex]
        ).map(Self.entry)
    }

    /// Current entries whose path starts with `prefix`, in path order. The prefix is compared as bytes: SQLite's
    /// `substr` of TEXT counts characters, so `/é/` (3 characters, 4 bytes) once matched nothing.
    func entries(_ allocation: AllocationID, under prefix: String) async throws -> [FileEntry] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM entry WHERE allocation_id = ? AND removed_seq IS NULL
                      AND path >= ? AND substr(CAST(path AS BLOB), 1, ?) = CAST(? AS BLOB) ORDER BY path
                    """, arguments: [allocation.hex, prefix, prefix.utf8.count, prefix]
            ).map(Self.entry)
        }
    }

    /// The entries commit `sequence` added (still current) and removed: what a rollback reverses.
    func versionChanges(_ allocation: AllocationID, sequence: UInt64) async throws -> (
        added: [FileEntry], removed: [FileEntry]
    ) {
        try await writer.read { db in
            let added = try Row.fetchAll(
                db, sql: "SELECT * FROM entry WHERE allocation_id = ? AND added_seq = ? AND removed_seq IS NULL",
                arguments: [allocation.hex, Int64(sequence)]
            ).map(Self.entry)
            let removed = try Row.fetchAll(
                db, sql: "SELECT * FROM entry WHERE allocation_id = ? AND removed_seq = ?",
                arguments: [allocation.hex, Int64(sequence)]
            ).map(Self.entry)
            return (added, removed)
        }
    }

    /// Makes one accepted marker durable in one transaction: entry versions, the marker, the new head.
    func apply(
        _ allocation: AllocationID, marker: WriteMarker, fileMetaRoot: Hash, added: [FileEntry], removedPaths: [String],
        undoSequence: UInt64, undoSize: Int64, rollingBack: UInt64?, now: Int64
    ) throws {
        let sequence = marker.sequence
        let json = try JSONEncoder().encode(marker)
        try writer.write { db in
            if let undone = rollingBack {
                try db.execute(
                    sql:
                        "UPDATE entry SET removed_seq = ? WHERE allocation_id = ? AND added_seq = ? AND removed_seq IS NULL",
                    arguments: [Int64(sequence), allocation.hex, Int64(undone)])
            }
            for path in removedPaths {
                try db.execute(
                    sql:
                        "UPDATE entry SET removed_seq = ? WHERE allocation_id = ? AND path = ? AND removed_seq IS NULL",
                    arguments: [Int64(sequence), allocation.hex, path])
            }
            for entry in added { try Self.insert(entry, allocation: allocation, sequence: sequence, db: db) }
            try db.execute(
                sql:
                    "INSERT INTO marker (allocation_id, sequence, allocation_root, json, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [allocation.hex, Int64(sequence), marker.allocationRoot.hex, json, now])
            try db.execute(
                sql: """
                    UPDATE allocation SET sequence = ?, allocation_root = ?, file_meta_root = ?, chain_hash = ?,
                      chain_size = ?, head_timestamp = ?, undo_sequence = ?, undo_size = ? WHERE id = ?
                    """,
                arguments: [
                    Int64(sequence), marker.allocationRoot.hex, fileMetaRoot.hex, marker.chainHash.hex,
                    Int64(marker.chainSize), marker.timestamp, Int64(undoSequence), undoSize, allocation.hex,
                ])
        }
    }

    /// The latest marker sequence whose root is `root`.
    func sequence(_ allocation: AllocationID, root: Hash) async throws -> UInt64? {
        try await writer.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT MAX(sequence) FROM marker WHERE allocation_id = ? AND allocation_root = ?",
                arguments: [allocation.hex, root.hex]
            ).map(UInt64.init)
        }
    }

    /// Every shard root some entry version of `allocation` refers to.
    func liveShardRoots(_ allocation: AllocationID) throws -> Set<Hash> {
        try writer.read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT shard_root FROM entry WHERE allocation_id = ?",
                    arguments: [allocation.hex]
                ).compactMap { Hash(hex: $0) })
        }
    }
}

extension BlobberDatabase {
    /// Committed bytes over every allocation: the current entries' blocks × 65 536.
    func storedBytes() async throws -> UInt64 {
        try await writer.read { db in
            let blocks = try Int64.fetchOne(
                db, sql: "SELECT COALESCE(SUM(block_count), 0) FROM entry WHERE removed_seq IS NULL")
            return UInt64(blocks ?? 0) * UInt64(ShardTree.blockSize)
        }
    }
}
