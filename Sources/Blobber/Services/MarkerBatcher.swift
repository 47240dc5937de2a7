import CoreMetrics
import Foundation
public import Logging
import Merkle
public import ServiceLifecycle
import StorageProtocol

/// Submits accepted write markers to the ledger as chains: per allocation, when `batch_max_markers`
/// wait, when the oldest has waited `batch_max_age`, or when none arrived for `batch_idle`. Markers
/// stay in SQLite until the ledger holds them, so an outage (retried with exponential backoff) delays
/// a chain and never loses one, across restarts too.
public struct MarkerBatcher: Service {
    let node: BlobberNode
    let tick: Duration

    public init(node: BlobberNode, tick: Duration = .milliseconds(100)) {
        self.node = node
        self.tick = tick
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        var backoff = [AllocationID: (until: Int64, delay: Int64)]()
        while !Task.isCancelled {
            do { try await Task.sleep(for: tick) } catch { break }
            do {
                try await submitDue(backoff: &backoff)
            } catch {
                node.logger.error("marker batching failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One pass: submits every allocation's due chain. Returns the number of markers the ledger took.
    @discardableResult
    func submitDue(backoff: inout [AllocationID: (until: Int64, delay: Int64)], force: Bool = false) async throws -> Int
    {
        let configuration = node.configuration
        let pending = try node.database.pendingMarkers()
        BlobberMetrics.markersPending.record(pending.values.reduce(0) { $0 + $1.count })
        var taken = 0
        let now = BlobberNode.now()
        for (allocation, markers) in pending.sorted(by: { $0.key < $1.key }) {
            guard let first = markers.first, let last = markers.last else { continue }
            if let wait = backoff[allocation], wait.until > now { continue }
            let due =
                force || markers.count >= configuration.batchMaxMarkers
                || now - first.acceptedAt >= Int64(configuration.batchMaxAge * 1000)
                || now - last.acceptedAt >= Int64(configuration.batchIdle * 1000)
            guard due else { continue }
            let chain = markers.map(\.marker)
            let transaction = LedgerTransaction.make(
                .submitChain, payload: SubmitChainPayload(allocationID: allocation, markers: chain), key: node.key,
                nonce: UInt64.random(in: 0...UInt64.max), timestamp: now)
            let logger = node.logger
            do {
                switch try await node.ledger.submit(transaction) {
                case .ok(let receipt):
                    try node.database.markSubmitted(allocation, through: last.marker.sequence)
                    let accepted = receipt.result.markersAccepted ?? chain.count
                    taken += accepted
                    BlobberMetrics.markersSubmitted.increment(by: accepted)
                    backoff[allocation] = nil
                    logger.debug(
                        "submitted marker chain",
                        metadata: [
                            "allocation.id": "\(allocation)", "chain.markers": "\(chain.count)",
                            "chain.last_sequence": "\(last.marker.sequence)",
                        ])
                case .refused(_, let error)
                where ["ledger.chain_already_accepted", "ledger.allocation_expired", "ledger.allocation_finalized"]
                    .contains(error.code):
                    // Nothing more the ledger will take from these markers.
                    try node.database.markSubmitted(allocation, through: last.marker.sequence)
                    backoff[allocation] = nil
                    logger.info(
                        "marker chain not taken",
                        metadata: ["allocation.id": "\(allocation)", "error.code": "\(error.code)"])
                case .refused(_, let error):
                    backoff[allocation] = Self.nextBackoff(backoff[allocation], now: now)
                    logger.error(
                        "marker chain refused",
                        metadata: [
                            "allocation.id": "\(allocation)", "error.code": "\(error.code)",
                            "error.message": "\(error.message)",
                        ])
                }
            } catch {
                backoff[allocation] = Self.nextBackoff(backoff[allocation], now: now)
                logger.info(
                    "ledger unreachable, will retry", metadata: ["allocation.id": "\(allocation)", "error": "\(error)"])
            }
        }
        BlobberMetrics.markersPending.record(try node.database.pendingCount())
        return taken
    }

    static func nextBackoff(_ previous: (until: Int64, delay: Int64)?, now: Int64) -> (until: Int64, delay: Int64) {
        let delay = min((previous?.delay ?? 250) * 2, 30_000)
        return (now + delay, delay)
    }
}
