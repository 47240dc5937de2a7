import CoreMetrics
import LedgerAPI
import StorageProtocol
import Synchronization

/// What a blobber offers on the ledger that a reload may change: bytes for sale and prices.
public struct BlobberTerms: Sendable, Equatable {
    public var capacity: UInt64
    public var readPrice: UInt64
    public var writePrice: UInt64

    public init(capacity: UInt64, readPrice: UInt64, writePrice: UInt64) {
        self.capacity = capacity
        self.readPrice = readPrice
        self.writePrice = writePrice
    }

    /// The configuration's `capacity`, `read_price` and `write_price`.
    public init(_ configuration: BlobberConfiguration) {
        self.init(
            capacity: configuration.capacity, readPrice: configuration.readPrice, writePrice: configuration.writePrice)
    }

    /// The configuration keys whose values differ in `other`.
    func changedKeys(to other: BlobberTerms) -> [String] {
        [
            capacity != other.capacity ? "capacity" : nil, readPrice != other.readPrice ? "read_price" : nil,
            writePrice != other.writePrice ? "write_price" : nil,
        ].compactMap { $0 }
    }

    /// An `update_blobber` payload carrying only the terms that differ in `other`.
    func update(to other: BlobberTerms) -> UpdateBlobberPayload {
        UpdateBlobberPayload(
            capacity: capacity != other.capacity ? other.capacity : nil,
            readPrice: readPrice != other.readPrice ? other.readPrice : nil,
            writePrice: writePrice != other.writePrice ? other.writePrice : nil)
    }
}

extension BlobberNode {
    /// Takes capacity and prices from `configuration` (the configuration file read again on a reload).
    /// When the blobber is registered, the changed terms go to the ledger in one `update_blobber` first,
    /// and only once the ledger took them do they apply here (a refusal, e.g. a capacity below the bytes
    /// in use, throws and changes nothing); before the registration they apply here and the registration
    /// carries them. Returns the configuration keys that changed (none: nothing was sent).
    public func reloadTerms(from configuration: BlobberConfiguration) async throws -> [String] {
        let (old, new) = (terms, BlobberTerms(configuration))
        let changed = old.changedKeys(to: new)
        guard !changed.isEmpty else { return [] }
        if registration.withLock({ $0.done }) {
            let transaction = LedgerTransaction.make(
                .updateBlobber, payload: old.update(to: new), key: key, nonce: UInt64.random(in: 0...UInt64.max),
                timestamp: Self.now())
            let ledger = self.ledger
            _ = try await askLedger { () async throws(LedgerAccessError) in try await ledger.submit(transaction) }
        }
        offered.withLock { $0 = new }
        return changed
    }

    /// Records the storage gauges (capacity, stored, staged and free bytes, disk use, pending markers) as
    /// they are now: `/metrics` calls it before every scrape.
    func recordStorageGauges() async throws {
        let stored = try await database.storedBytes()
        let shards = self.shards
        let (staged, used) = try await BlockingIO.run { (shards.stagedBytes(), shards.diskUsed()) }
        BlobberMetrics.Storage(capacity: terms.capacity, stored: stored, staged: staged).record(blobber: blobberID.hex)
        BlobberMetrics.diskUsed.record(used)
        BlobberMetrics.markersPending.record(try await database.pendingTotal())
    }
}
