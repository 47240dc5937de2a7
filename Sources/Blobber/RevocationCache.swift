import Merkle
import StorageProtocol
import Synchronization

/// The share tickets the ledger lists as revoked, per allocation (docs/PROTOCOL.md section 8,
/// "Revoked tickets"). A ticket use asks the ledger again once the allocation's list is older than
/// `refresh`; the ledger never takes a revocation back, so what was learned is kept: a ledger that is
/// down or answers wrongly never makes a ticket known to be revoked usable again. A ticket whose
/// revocation the blobber has not learned yet (the ledger down since) stays usable until it does.
final class RevocationCache: Sendable {
    struct Entry: Sendable {
        var revoked: Set<Hash>
        var checkedAt: ContinuousClock.Instant
    }

    let refresh: Duration
    private let entries = Mutex<[AllocationID: Entry]>([:])

    init(refresh: Duration) {
        self.refresh = refresh
    }

    /// Whether `ticket` of `allocation` is revoked, asking `fetch` (the ledger) when the list is stale.
    func isRevoked(
        _ ticket: Hash, allocation: AllocationID, fetch: () async -> [Hash]?
    ) async -> Bool {
        let now = ContinuousClock.now
        let known = entries.withLock { $0[allocation] }
        if let known, now - known.checkedAt < refresh { return known.revoked.contains(ticket) }
        let fetched = await fetch()
        let merged = entries.withLock { entries -> Set<Hash> in
            var entry = entries[allocation] ?? Entry(revoked: [], checkedAt: now)
            entry.revoked.formUnion(fetched ?? [])
            entry.checkedAt = now
            entries[allocation] = entry
            return entry.revoked
        }
        return merged.contains(ticket)
    }
}
