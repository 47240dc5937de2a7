import CoreMetrics
import Foundation
public import LedgerAPI
public import Logging
import Merkle
public import ServiceLifecycle
public import StorageProtocol

/// Submits accepted write markers to the ledger as chains of at most `batch_max_markers`: per
/// allocation, when that many wait, when the oldest has waited `batch_max_age`, or when none arrived
/// for `batch_idle`. Markers stay in SQLite until the ledger holds them, so an outage (retried with
/// exponential backoff) delays a chain and never loses one, across restarts too.
public struct MarkerBatcher: Service {
    /// When a chain is due (`batch_max_markers`, `batch_max_age`, `batch_idle`; seconds).
    public struct Limits: Sendable {
        public var maxMarkers: Int
        public var maxAge: Double
        public var idle: Double

        public init(maxMarkers: Int, maxAge: Double, idle: Double) {
            self.maxMarkers = maxMarkers
            self.maxAge = maxAge
            self.idle = idle
        }
    }

    let ledger: any LedgerAccess
    let key: SigningKey
    let database: BlobberDatabase
    let limits: Limits
    let logger: Logger
    let tick: Duration

    /// Submits as the blobber of `key` the markers `database` holds, looking every `tick`.
    public init(
        ledger: any LedgerAccess, key: SigningKey, database: BlobberDatabase, limits: Limits, logger: Logger,
        tick: Duration = .milliseconds(100)
    ) {
        self.ledger = ledger
        self.key = key
        self.database = database
        self.limits = limits
        self.logger = logger
        self.tick = tick
    }

    /// The node's ledger, key and database, with the configuration's limits.
    public init(node: BlobberNode, tick: Duration = .milliseconds(100)) {
        let configuration = node.configuration
        self.init(
            ledger: node.ledger, key: node.key, database: node.database,
            limits: Limits(
                maxMarkers: configuration.batchMaxMarkers, maxAge: configuration.batchMaxAge,
                idle: configuration.batchIdle),
            logger: node.logger, tick: tick)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        var backoff = [AllocationID: (until: Int64, delay: Int64)]()
        while !Task.isCancelled {
            do { try await Task.sleep(for: tick) } catch { break }
            do {
                try await submitDue(backoff: &backoff)
            } catch {
                logger.error("marker batching failed", metadata: ["error": "\(error)"])
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
        let pending = try database.pendingMarkers()
        BlobberMetrics.markersPending.record(pending.values.reduce(0) { $0 + $1.count })
        var taken = 0
        let now = BlobberNode.now()
        for (allocation, markers) in pending.sorted(by: { $0.key < $1.key }) {
            guard let newest = markers.last else { continue }
            if let wait = backoff[allocation], wait.until > now { continue }
            let idle = now - newest.acceptedAt >= Int64(limits.idle * 1000)
            var rest = markers[...]
            while let first = rest.first {
                let chain = rest.prefix(limits.maxMarkers)
                let due =
                    chain.count == limits.maxMarkers || idle
                    || now - first.acceptedAt >= Int64(limits.maxAge * 1000)
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
        BlobberMetrics.markersPending.record(try database.pendingCount())
        return taken
    }

    /// Submits one chain. The number of markers the ledger took (0 when it will take none of them,
    /// which also counts as delivered), or nil when it must be tried again later.
    private func submit(_ allocation: AllocationID, _ chain: [WriteMarker], now: Int64) async -> Int? {
        guard let last = chain.last else { return 0 }
        let transaction = LedgerTransaction.make(
            .submitChain, payload: SubmitChainPayload(allocationID: allocation, markers: chain), key: key,
            nonce: UInt64.random(in: 0...UInt64.max), timestamp: now)
        do {
            switch await submit(transaction) {
            case .success(let receipt):
                try database.markSubmitted(allocation, through: last.sequence)
                let accepted = receipt.result.markersAccepted ?? chain.count
                BlobberMetrics.markersSubmitted.increment(by: accepted)
                logger.debug(
                    "submitted marker chain",
                    metadata: [
                        "allocation.id": "\(allocation)", "chain.markers": "\(chain.count)",
                        "chain.last_sequence": "\(last.sequence)",
                    ])
                return accepted
            case .failure(.refused(_, let error))
            where ["ledger.chain_already_accepted", "ledger.allocation_expired", "ledger.allocation_finalized"]
                .contains(error.code):
                // Nothing more the ledger will take from these markers.
                try database.markSubmitted(allocation, through: last.sequence)
                logger.info(
                    "marker chain not taken",
                    metadata: ["allocation.id": "\(allocation)", "error.code": "\(error.code)"])
                return 0
            case .failure(.refused(_, let error)):
                logger.error(
                    "marker chain refused",
                    metadata: [
                        "allocation.id": "\(allocation)", "error.code": "\(error.code)",
                        "error.message": "\(error.message)",
                    ])
                return nil
            case .failure(let error):
                throw BlobberError(ledger: error)
            }
        } catch {
            logger.info(
                "ledger unreachable, will retry", metadata: ["allocation.id": "\(allocation)", "error": "\(error)"])
            return nil
        }
    }

    private func submit(_ transaction: LedgerTransaction) async -> Result<TransactionReceipt, LedgerAccessError> {
        do throws(LedgerAccessError) {
            return .success(try await ledger.submit(transaction))
        } catch {
            return .failure(error)
        }
    }

    static func nextBackoff(_ previous: (until: Int64, delay: Int64)?, now: Int64) -> (until: Int64, delay: Int64) {
        let delay = min((previous?.delay ?? 250) * 2, 30_000)
        return (now + delay, delay)
    }
}
