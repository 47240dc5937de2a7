import Foundation
import GRDB

/// The blobber's metadata in SQLite (WAL, synchronous FULL: an answered commit survives a crash).
///
/// File entries are versioned: a row is valid for marker sequences `[added_seq, removed_seq)`, so the
/// trie at any root the ledger may still challenge can be rebuilt, and a rollback is one more version.
/// Shard bytes live in files named by their shard root (`ShardStore`); a shard file is live while a
/// version row refers to it. The SQLite commit of a write is the switch from the old state to the new.
public final class BlobberDatabase: Sendable {
    let writer: any DatabaseWriter

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        writer = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(writer)
    }

    /// An in-memory database, for tests of the storage logic.
    public init() throws {
        writer = try DatabaseQueue()
        try Self.migrator.migrate(writer)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "allocation") { t in
                t.primaryKey("id", .text)
                t.column("owner_key", .text).notNull()
                t.column("data_shards", .integer).notNull()
                t.column("size", .integer).notNull()
                // ceil(size / data_shards): the most this blobber stores for the allocation.
                t.column("share", .integer).notNull()
                t.column("created_at", .integer).notNull()
                t.column("expiry", .integer).notNull()
                // The chain head: the last accepted marker.
                t.column("sequence", .integer).notNull()
                t.column("allocation_root", .text).notNull()
                t.column("file_meta_root", .text).notNull()
                t.column("chain_hash", .text)
                t.column("chain_size", .integer).notNull()
                t.column("head_timestamp", .integer).notNull()
                // The sequence of the commit that can be undone, 0 when none, and its size delta.
                t.column("undo_sequence", .integer).notNull()
                t.column("undo_size", .integer).notNull()
            }
            try db.create(table: "entry") { t in
                t.column("allocation_id", .text).notNull().references("allocation", onDelete: .cascade)
                t.column("path", .text).notNull()
                t.column("size", .integer).notNull()
                t.column("content_hash", .text).notNull()
                t.column("shard_root", .text).notNull()
                t.column("block_count", .integer).notNull()
                t.column("encryption", .blob).notNull()
                t.column("created_at", .integer).notNull()
                t.column("updated_at", .integer).notNull()
                t.column("added_seq", .integer).notNull()
                t.column("removed_seq", .integer)
            }
            try db.create(
                index: "entry_current", on: "entry", columns: ["allocation_id", "path"], unique: true,
                condition: Column("removed_seq") == nil)
            try db.create(index: "entry_added", on: "entry", columns: ["allocation_id", "added_seq"])
            try db.create(index: "entry_removed", on: "entry", columns: ["allocation_id", "removed_seq"])
            try db.create(table: "marker") { t in
                t.column("allocation_id", .text).notNull().references("allocation", onDelete: .cascade)
                t.column("sequence", .integer).notNull()
                t.column("allocation_root", .text).notNull()
                t.column("json", .blob).notNull()
                // Unix ms when accepted, for batching by age.
                t.column("created_at", .integer).notNull()
                t.column("submitted", .boolean).notNull().defaults(to: false)
                t.primaryKey(["allocation_id", "sequence"])
            }
            try db.create(index: "marker_pending", on: "marker", columns: ["submitted", "allocation_id", "sequence"])
            try db.create(index: "marker_root", on: "marker", columns: ["allocation_id", "allocation_root"])
            try db.create(table: "challenge") { t in
                t.primaryKey("id", .text)
                t.column("allocation_id", .text).notNull()
                t.column("state", .text).notNull()
                t.column("updated_at", .integer).notNull()
            }
        }
        // Re-encryption keys the owner registered for share tickets (docs/PROTOCOL.md section 8,
        // "Re-encryption keys"), kept until the ticket expires.
        migrator.registerMigration("v2-reencryption-keys") { db in
            try db.create(table: "reencryption_key") { t in
                t.column("allocation_id", .text).notNull().references("allocation", onDelete: .cascade)
                t.column("ticket_hash", .text).notNull()
                t.column("ephemeral", .blob).notNull()
                t.column("key", .blob).notNull()
                t.column("expiry", .integer).notNull()
                t.primaryKey(["allocation_id", "ticket_hash"])
            }
        }
        return migrator
    }
}
