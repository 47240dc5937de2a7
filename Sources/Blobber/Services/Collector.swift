import CoreMetrics
import Foundation
public import LedgerAPI
public import Logging
public import ServiceLifecycle
public import StorageProtocol

/// Collects what nothing needs any more, every `gc_interval`: entry versions older than the ledger's
/// root (unless an open challenge may still name them, or the undo step needs them) and the shard
/// files only they referred to, such as the data of rolled-back commits; and staged uploads older
/// than `staged_upload_lifetime`.
public struct Collector: Service {
    let ledger: any LedgerAccess
    let blobberID: BlobberID
    let database: BlobberDatabase
    let shards: ShardStore
    let stores: @Sendable (AllocationID) async throws -> AllocationStore
    let interval: Duration
    /// Seconds a staged upload may wait for its commit.
    let stagedUploadLifetime: Double
    let logger: Logger

    /// Collects for `blobberID` every `interval`; `stores` opens an allocation's store
    /// (`BlobberNode.store(for:)`).
    public init(
        ledger: any LedgerAccess, blobberID: BlobberID, database: BlobberDatabase, shards: ShardStore,
        interval: Duration, stagedUploadLifetime: Double, logger: Logger,
        stores: @escaping @Sendable (AllocationID) async throws -> AllocationStore
    ) {
        self.ledger = ledger
        self.blobberID = blobberID
        self.database = database
        self.shards = shards
        self.stores = stores
        self.interval = interval
        self.stagedUploadLifetime = stagedUploadLifetime
        self.logger = logger
    }

    /// The node's ledger, database, shard store and stores, every `gc_interval`.
    public init(node: BlobberNode) {
        self.init(
            ledger: node.ledger, blobberID: node.blobberID, database: node.database, shards: node.shards,
            interval: .milliseconds(Int64(node.configuration.gcInterval * 1000)),
            stagedUploadLifetime: node.configuration.stagedUploadLifetime, logger: node.logger,
            stores: { try await node.store(for: $0) })
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { break }
            do {
                try await collect()
            } catch {
                logger.info("collection skipped", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One pass. Needs the ledger's open challenges, so nothing is pruned while the ledger is unreachable.
    func collect() async throws {
        let (ledger, blobberID) = (self.ledger, self.blobberID)
        let open = try await askLedger { () async throws(LedgerAccessError) in
            try await ledger.openChallenges(for: blobberID)
        }
        let challenged = Set(open.map(\.allocationID))
        for allocation in try database.allocationIDs() where !challenged.contains(allocation) {
            let through = try database.ledgerSequence(allocation)
            let store = try await stores(allocation)
            let freed = try await store.collect(through: through)
            if freed > 0 {
                logger.debug(
                    "collected old versions", metadata: ["allocation.id": "\(allocation)", "bytes": "\(freed)"])
            }
        }
        shards.collectStaging(olderThan: stagedUploadLifetime)
        BlobberMetrics.diskUsed.record(shards.diskUsed())
    }
}
