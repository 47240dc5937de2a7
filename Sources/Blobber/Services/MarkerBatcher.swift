import CoreMetrics
import Foundation
public import Logging
import Merkle
public import ServiceLifecycle
import StorageProtocol

/// Submits accepted write markers to the ledger as chains of at most `batch_max_markers`: per
/// allocation, when that many wait, when the oldest has waited `batch_max_age`, or when none arrived
/// for `batch_idle`. Markers stay in SQLite until the ledger holds them, so an outage (retried with
/// exponential backoff) delays a chain and never loses one, across restarts too.
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

    /// One pass: submits every allocation's due chains. Returns the number of markers the ledger took.
    ///
    /// A chain holds at most `batch_max_markers` markers, so what piled up during a long outage goes
    /// in several transactions the ledger's body limit always admits: every full chain at once, and
    /// the rest when its oldest marker's age or the idle time says so.
    @discardableResult
    func submitDue(backoff: inout [AllocationID: (until: Int64, delay: Int64)]) async throws -> Int {
        let configuration = node.configuration
        let pending = try node.database.pendingMarkers()
        BlobberMetrics.markersPending.record(pending.values.reduce(0) { $0 + $1.count })
        var taken = 0
        let now = BlobberNode.now()
        for (allocation, markers) in pending.sorted(by: { $0.key < $1.key }) {
            guard let newest = markers.last else { continue }
            if let wait = backoff[allocation], wait.until > now { continue }
            let idle = now - newest.acceptedAt >= Int64(configuration.batchIdle * 1000)
            var rest = markers[...]
            while let first = rest.first {
                let chain = rest.prefix(configuration.batchMaxMarkers)
                let due =
                    chain.count == configuration.batchMaxMarkers || idle
                    || now - first.acceptedAt >= Int64(configuration.batchMaxAge * 1000)
                guard due else { break }
                guard let accepted = await submit(allocation, chain.map(\.marker), now: now) else {
                    backoff[allocation] = Self.nextBackoff(backoff[allocation], now: now)
                    break
                }
                backoff[allocation] = nil
                taken += accepted
                rest = rest.dropFirst(chain.count)
            }
        }
        BlobberMetrics.markersPending.record(try node.database.pendingCount())
        return taken
    }

    /// Submits one chain. The number of markers the ledger took (0 when it will take none of them,
    /// which also counts as delivered), or nil when it must be tried again later.
    private func submit(_ allocation: AllocationID, _ chain: [WriteMarker], now: Int64) async -> Int? {
        guard let last = chain.last else { return 0 }
        let transaction = LedgerTransaction.make(
            .submitChain, payload: SubmitChainPayload(allocationID: allocation, markers: chain), key: node.key,
            nonce: UInt64.random(in: 0...UInt64.max), timestamp: now)
        let logger = node.logger
        do {
            switch try await node.ledger.submit(transaction) {
            case .ok(let receipt):
                try node.database.markSubmitted(allocation, through: last.sequence)
                let accepted = receipt.result.markersAccepted ?? chain.count
                BlobberMetrics.markersSubmitted.increment(by: accepted)
                logger.debug(
                    "submitted marker chain",
                    metadata: [
                        "allocation.id": "\(allocation)", "chain.markers": "\(chain.count)",
                        "chain.last_sequence": "\(last.sequence)",
                    ])
                return accepted
            case .refused(_, let error)
            where ["ledger.chain_already_accepted", "ledger.allocation_expired", "ledger.allocation_finalized"]
                .contains(error.code):
                // Nothing more the ledger will take from these markers.
                try node.database.markSubmitted(allocation, through: last.sequence)
                logger.info(
                    "marker chain not taken",
                    metadata: ["allocation.id": "\(allocation)", "error.code": "\(error.code)"])
                return 0
            case .refused(_, let error):
                logger.error(
                    "marker chain refused",
                    metadata: [
                        "allocation.id": "\(allocation)", "error.code": "\(error.code)",
                        "error.message": "\(error.message)",
                    ])
                return nil
            }
        } catch {
            logger.info(
                "ledger unreachable, will retry", metadata: ["allocation.id": "\(allocation)", "error": "\(error)"])
            return nil
        }
    }

    static func nextBackoff(_ previous: (until: Int64, delay: Int64)?, now: Int64) -> (until: Int64, delay: Int64) {
        let delay = min((previous?.delay ?? 250) * 2, 30_000)
        return (now + delay, delay)
    }
}
