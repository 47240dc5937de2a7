import CoreMetrics
import Foundation
public import Logging
import Merkle
public import ServiceLifecycle
import StorageProtocol

/// Polls the ledger for open challenges addressed to this blobber and answers each once with its
/// proof (also after a restart: answered challenges are remembered in SQLite, open ones are asked for
/// again).
public struct ChallengeResponder: Service {
    let node: BlobberNode
    let interval: Duration

    public init(node: BlobberNode) {
        self.node = node
        self.interval = .milliseconds(Int64(node.configuration.challengePollInterval * 1000))
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        while !Task.isCancelled {
            do {
                try await answerOpen()
            } catch {
                node.logger.info("challenge poll failed", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: interval) } catch { break }
        }
    }

    /// Answers every open challenge not answered yet. Returns how many answers were sent.
    @discardableResult
    func answerOpen() async throws -> Int {
        var sent = 0
        for challenge in try await node.ledger.openChallenges(for: node.blobberID) {
            guard try node.database.challengeState(challenge.id) == nil else { continue }
            let now = BlobberNode.now()
            let store = try await node.store(for: challenge.allocationID)
            guard
                let payload = try await store.challengeAnswer(
                    challengeID: challenge.id, root: challenge.root, seed: challenge.seed)
            else {
                node.logger.error(
                    "cannot answer challenge: root unknown here",
                    metadata: ["challenge.id": "\(challenge.id)", "challenge.root": "\(challenge.root)"])
                try node.database.recordChallenge(
                    challenge.id, allocation: challenge.allocationID, state: "unanswerable", now: now)
                BlobberMetrics.challengesFailed.increment()
                continue
            }
            let transaction = LedgerTransaction.make(
                .challengeResponse, payload: payload, key: node.key, nonce: UInt64.random(in: 0...UInt64.max),
                timestamp: now)
            switch try await node.ledger.submit(transaction) {
            case .ok(let receipt):
                let passed = receipt.result.passed ?? false
                (passed ? BlobberMetrics.challengesPassed : BlobberMetrics.challengesFailed).increment()
                try node.database.recordChallenge(
                    challenge.id, allocation: challenge.allocationID, state: passed ? "passed" : "failed", now: now)
                node.logger.info(
                    "answered challenge",
                    metadata: [
                        "challenge.id": "\(challenge.id)", "challenge.passed": "\(passed)",
                        "challenge.reason": "\(receipt.result.reason ?? "")",
                    ])
                sent += 1
            case .refused(_, let error):
                try node.database.recordChallenge(
                    challenge.id, allocation: challenge.allocationID, state: error.code, now: now)
                BlobberMetrics.challengesFailed.increment()
                node.logger.error(
                    "challenge answer refused",
                    metadata: ["challenge.id": "\(challenge.id)", "error.code": "\(error.code)"])
            }
        }
        return sent
    }
}
