import Foundation
import GRDB
import Merkle
import StorageProtocol

/// A re-encryption key the owner registered for one share ticket (docs/PROTOCOL.md section 8,
/// "Re-encryption keys").
struct StoredReencryptionKey: Sendable {
    var ephemeral: RistrettoPoint
    var key: RistrettoScalar
}

extension AllocationStore {
    /// Keeps the owner's `X` and `rk` for `registration.ticket`, after checking the ticket is this
    /// allocation's, signed by its owner and not expired (`auth.bad_ticket`), and that `X` is a valid
    /// point and `rk` a canonical non-zero scalar (`share.bad_key`). Registering again replaces.
    func registerReencryptionKey(_ registration: ReencryptionKeyRequest, now: Int64) throws
        -> ReencryptionKeyResponse
    {
        let ticket = registration.ticket
        try ticket.verify(
            owner: info.ownerKey, allocation: info.id, reader: ticket.recipientID, requested: ticket.path, now: now)
        guard let ephemeral = RistrettoPoint(hex: registration.x) else {
            throw BlobberError.badShareKey("x is not the hex of a valid ristretto255 point")
        }
        guard let key = RistrettoScalar(hex: registration.rk) else {
            throw BlobberError.badShareKey("rk is not the hex of a canonical non-zero scalar")
        }
        let hash = ticket.hash
        try database.saveReencryptionKey(
            allocation: info.id, ticket: hash, StoredReencryptionKey(ephemeral: ephemeral, key: key),
            expiry: ticket.expiry)
        return ReencryptionKeyResponse(ticketHash: hash)
    }

    /// The capsule of `entry`'s version-2 encryption header transformed with the key registered for
    /// `ticket`; nil when the entry has no such header or no key is registered.
    func transformedCapsule(of entry: FileEntry, ticket: Hash) throws -> TransformedCapsule? {
        let header = entry.encryption
        guard header.count == 89, header[0] == 2, let capsule = RistrettoPoint(bytes: header[1..<33]) else {
            return nil
        }
        guard let stored = try database.reencryptionKey(allocation: info.id, ticket: ticket) else { return nil }
        return TransformedCapsule(e: ProxyReencryption.transform(capsule, with: stored.key), x: stored.ephemeral)
    }
}

extension BlobberDatabase {
    func saveReencryptionKey(allocation: AllocationID, ticket: Hash, _ key: StoredReencryptionKey, expiry: Int64)
        throws
    {
        try writer.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO reencryption_key (allocation_id, ticket_hash, ephemeral, key, expiry)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [allocation.hex, ticket.hex, Data(key.ephemeral.bytes), Data(key.key.bytes), expiry])
        }
    }

    func reencryptionKey(allocation: AllocationID, ticket: Hash) throws -> StoredReencryptionKey? {
        try writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT ephemeral, key FROM reencryption_key WHERE allocation_id = ? AND ticket_hash = ?",
                    arguments: [allocation.hex, ticket.hex]),
                let ephemeral = RistrettoPoint(bytes: [UInt8](row["ephemeral"] as Data)),
                let key = RistrettoScalar(canonical: [UInt8](row["key"] as Data))
            else { return nil }
            return StoredReencryptionKey(ephemeral: ephemeral, key: key)
        }
    }
}
