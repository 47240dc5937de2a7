import CoreMetrics
import Foundation
public import LedgerAPI
public import Logging
import Merkle
public import ServiceLifecycle
public import StorageProtocol

/// Polls the ledger for open challenges addressed to this blobber and answers each once with its
/// proof (also after a restart: answered challenges are remembered in SQLite, open ones are asked for
/// again).
public struct ChallengeResponder: Service {
    let ledger: any LedgerAccess
    let key: SigningKey
    let database: BlobberDatabase
    let stores: @Sendable (AllocationID) async throws -> AllocationStore
    let interval: Duration
    let logger: Logger

    var blobberID: BlobberID { key.publicKey.blobberID }

    /// Answers as the blobber of `key`, polling `ledger` every `interval`; `stores` opens an
    /// allocation's store (`BlobberNode.store(for:)`).
    public init(
        ledger: any LedgerAccess, key: SigningKey, database: BlobberDatabase, interval: Duration, logger: Logger,
        stores: @escaping @Sendable (AllocationID) async throws -> AllocationStore
    ) {
        self.ledger = ledger
        self.key = key
        self.database = database
        self.stores = stores
        self.interval = interval
        self.logger = logger
    }

    /// The node's ledger, key, database and stores, polling every `challenge_poll_interval`.
    public init(node: BlobberNode) {
        self.init(
            ledger: node.ledger, key: node.key, database: node.database,
            interval: .milliseconds(Int64(node.configuration.challengePollInterval * 1000)), logger: node.logger,
            stores: { try await node.store(for: $0) })
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        while !Task.isCancelled {
            do {
                try await answerOpen()
            } catch {
                logger.info("challenge poll failed", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: interval) } catch { break }
        }
    }

    /// Answers every open challenge not answered yet. Returns how many answers were sent.
    @discardableResult
    func answerOpen() async throws -> Int {
        var sent = 0
        let (ledger, blobberID) = (self.ledger, self.blobberID)
        let open = try await askLedger { () async throws(LedgerAccessError) in
            try await ledger.openChallenges(for: blobberID)
        }
        for challenge in open {
            guard try database.challengeState(challenge.id) == nil else { continue }
            let now = BlobberNode.now()
            let store = try await stores(challenge.allocationID)
            guard
                let payload = try await store.challengeAnswer(
                    challengeID: challenge.id, root: challenge.root, seed: challenge.seed)
            else {
                logger.error(
                    "cannot answer challenge: root unknown here",
                    metadata: ["challenge.id": "\(challenge.id)", "challenge.root": "\(challenge.root)"])
                try database.recordChallenge(
                    challenge.id, allocation: challenge.allocationID, state: "unanswerable", now: now)
                BlobberMetrics.challenge(.unanswerable)
                continue
            }
            let transaction = LedgerTransaction.make(
                .challengeResponse, payload: payload, key: key, nonce: UInt64.random(in: 0...UInt64.max),
                timestamp: now)
            let receipt: TransactionReceipt
            do throws(LedgerAccessError) {
                receipt = try await ledger.submit(transaction)
            } catch .refused(_, let error) {
                try database.recordChallenge(
                    challenge.id, allocation: challenge.allocationID, state: error.code, now: now)
                BlobberMetrics.challenge(.refused)
                logger.error(
                    "challenge answer refused",
                    metadata: ["challenge.id": "\(challenge.id)", "error.code": "\(error.code)"])
                continue
            } catch {
                throw BlobberError(ledger: error)
            }
            let passed = receipt.result.passed ?? false
            BlobberMetrics.challenge(passed ? .passed : .failed)
            try database.recordChallenge(
                challenge.id, allocation: challenge.allocationID, state: passed ? "passed" : "failed", now: now)
            logger.info(
                "answered challenge",
                metadata: [
                    "challenge.id": "\(challenge.id)", "challenge.passed": "\(passed)",
                    "challenge.reason": "\(receipt.result.reason ?? "")",
                ])
            sent += 1
        }
        return sent
    }
}
