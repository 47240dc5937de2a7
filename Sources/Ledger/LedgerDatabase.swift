import Foundation
public import GRDB

/// Owns the ledger's SQLite database: a `DatabasePool` (WAL, `synchronous=FULL`) on disk, or an
/// in-memory `DatabaseQueue` for replays and tests. Every change goes through `writer`.
public final class LedgerDatabase: Sendable {
    public let writer: any DatabaseWriter

    /// Opens (creating if needed) `path` and runs the migrations.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // An acknowledged transaction must survive kill -9 and power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        writer = pool
        try LedgerDatabase.migrator.migrate(pool)
    }

    /// A fresh in-memory database with the same schema.
    public init() throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        let queue = try DatabaseQueue(configuration: configuration)
        writer = queue
        try LedgerDatabase.migrator.migrate(queue)
    }

    /// The state tables, in the order `ledger verify` compares them, with their ordering keys.
    public static let stateTables: [(name: String, order: String)] = [
        ("supply", "id"),
        ("accounts", "id"),
        ("blobbers", "id"),
        ("allocations", "id"),
        ("allocation_blobbers", "allocation_id, blobber_id"),
        ("markers", "allocation_id, blobber_id, sequence"),
        ("challenges", "id"),
        ("ticket_revocations", "allocation_id, ticket_hash"),
        ("transactions", "seq"),
    ]
}
