import Foundation
import GRDB
import Merkle
import StorageProtocol

/// A marker waiting to be submitted to the ledger.
struct PendingMarker: Sendable {
    var marker: WriteMarker
    /// Unix ms when the blobber accepted it.
    var acceptedAt: Int64
}

extension BlobberDatabase {
    /// Markers not yet accepted by the ledger, per allocation, in sequence order.
    func pendingMarkers(limit: Int = 10_000) throws -> [AllocationID: [PendingMarker]] {
        try writer.read { db in
            var out = [AllocationID: [PendingMarker]]()
            let rows = try Row.fetchAll(
                db,
                sql:
                    "SELECT allocation_id, json, created_at FROM marker WHERE submitted = 0 ORDER BY allocation_id, sequence LIMIT ?",
                arguments: [limit])
            for row in rows {
                guard let id = AllocationID(hex: row["allocation_id"] as String) else { continue }
                let marker = try JSONDecoder().decode(WriteMarker.self, from: row["json"] as Data)
                out[id, default: []].append(PendingMarker(marker: marker, acceptedAt: row["created_at"]))
            }
            return out
        }
    }

    func pendingCount(_ allocation: AllocationID? = nil) throws -> Int {
        try writer.read { db in
            if let allocation {
                return try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM marker WHERE submitted = 0 AND allocation_id = ?",
                    arguments: [allocation.hex]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM marker WHERE submitted = 0") ?? 0
        }
    }

    /// Markers of `allocation` not yet on the ledger, without holding a thread of the cooperative pool.
    func pendingCount(_ allocation: AllocationID) async throws -> Int {
        try await writer.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM marker WHERE submitted = 0 AND allocation_id = ?",
                arguments: [allocation.hex]) ?? 0
        }
    }

    /// Markers of every allocation not yet on the ledger, without holding a thread of the cooperative pool.
    func pendingTotal() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM marker WHERE submitted = 0") ?? 0 }
    }

    /// Records that the ledger holds every marker of `allocation` up to `sequence`.
    func markSubmitted(_ allocation: AllocationID, through sequence: UInt64) throws {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE marker SET submitted = 1 WHERE allocation_id = ? AND sequence <= ? AND submitted = 0",
                arguments: [allocation.hex, Int64(sequence)])
        }
    }

    func challengeState(_ id: Hash) throws -> String? {
        try writer.read { db in
            try String.fetchOne(db, sql: "SELECT state FROM challenge WHERE id = ?", arguments: [id.hex])
        }
    }

    func recordChallenge(_ id: Hash, allocation: AllocationID, state: String, now: Int64) throws {
        try writer.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO challenge (id, allocation_id, state, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [id.hex, allocation.hex, state, now])
        }
    }
}

extension BlobberDatabase {
    /// The highest sequence of `allocation` the ledger holds (0 when none).
    func ledgerSequence(_ allocation: AllocationID) throws -> UInt64 {
        try writer.read { db in
            UInt64(
                try Int64.fetchOne(
                    db, sql: "SELECT MAX(sequence) FROM marker WHERE allocation_id = ? AND submitted = 1",
                    arguments: [allocation.hex]) ?? 0)
        }
    }

    /// Drops entry versions that ended at or before `sequence` (the ledger holds a later root, so no
    /// challenge can name them), except those the undo step needs. Returns the number of rows dropped.
    @discardableResult
    func pruneVersions(_ allocation: AllocationID, through sequence: UInt64) throws -> Int {
        try writer.write { db in
            try db.execute(
                sql: """
                    DELETE FROM entry WHERE allocation_id = ? AND removed_seq IS NOT NULL AND removed_seq <= ?
                      AND removed_seq != (SELECT undo_sequence FROM allocation WHERE id = ?)
                    """, arguments: [allocation.hex, Int64(sequence), allocation.hex])
            return db.changesCount
        }
    }
}
