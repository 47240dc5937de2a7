import CoreMetrics
import Foundation
public import ServiceLifecycle
import StorageProtocol
import Logging

/// Collects what nothing needs any more, every `gc_interval`: entry versions older than the ledger's
/// root (unless an open challenge may still name them, or the undo step needs them) and the shard
/// files only they referred to, such as the data of rolled-back commits; and staged uploads older
/// than `staged_upload_lifetime`.
public struct Collector: Service {
    let node: BlobberNode

    public init(node: BlobberNode) {
        self.node = node
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        let interval = Duration.milliseconds(Int64(node.configuration.gcInterval * 1000))
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { break }
            do {
                try await collect()
            } catch {
                node.logger.info("collection skipped", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One pass. Needs the ledger's open challenges, so nothing is pruned while the ledger is unreachable.
    func collect() async throws {
        let open = try await node.ledger.openChallenges(for: node.blobberID)
        let challenged = Set(open.map(\.allocationID))
        for allocation in try node.database.allocationIDs() where !challenged.contains(allocation) {
            let through = try node.database.ledgerSequence(allocation)
            let store = try await node.store(for: allocation)
            let freed = try await store.collect(through: through)
            if freed > 0 {
                node.logger.debug(
                    "collected old versions", metadata: ["allocation.id": "\(allocation)", "bytes": "\(freed)"])
            }
        }
        node.shards.collectStaging(olderThan: node.configuration.stagedUploadLifetime)
        BlobberMetrics.diskUsed.record(node.shards.diskUsed())
    }
}
