public import Logging
import Merkle
import Metrics
import StorageProtocol
public import ServiceLifecycle

/// Seals the open block every `blockInterval` when it holds transactions, and at least every
/// `emptyBlockInterval`; after every `challengeInterval` sealed blocks, issues a challenge.
public struct BlockSealer: Service {
    let ledger: Ledger
    let configuration: LedgerConfiguration
    let logger: Logger

    public init(ledger: Ledger, configuration: LedgerConfiguration, logger: Logger) {
        self.ledger = ledger
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await loop() }
    }

    private func loop() async throws {
        let clock = ContinuousClock()
        var lastSeal = clock.now
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.blockInterval)
            } catch { break }
            do {
                let allowEmpty = clock.now - lastSeal >= configuration.emptyBlockInterval
                guard let block = try await ledger.sealBlock(allowEmpty: allowEmpty) else { continue }
                lastSeal = clock.now
                Gauge(label: "ledger_block_height").record(Int64(block.height))
                logger.debug(
                    "sealed block", metadata: ["block.height": "\(block.height)", "block.txs": "\(block.txCount)"])
                if configuration.challengeInterval > 0, block.height % configuration.challengeInterval == 0,
                    let receipt = try await ledger.issueChallenge()
                {
                    Counter(label: "ledger_challenges_issued_total").increment()
                    logger.debug("issued challenge", metadata: ["challenge.id": "\(receipt.result.challengeID?.hex ?? "")"])
                }
            } catch {
                logger.error("sealing failed", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Times out open challenges whose deadline passed, every `interval`.
public struct ChallengeWatcher: Service {
    let ledger: Ledger
    let interval: Duration
    let logger: Logger

    public init(ledger: Ledger, interval: Duration, logger: Logger) {
        self.ledger = ledger
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await loop() }
    }

    private func loop() async throws {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch { break }
            do {
                let receipts = try await ledger.expireChallenges()
                if !receipts.isEmpty {
                    Counter(label: "ledger_challenges_timed_out_total").increment(by: receipts.count)
                }
            } catch {
                logger.error("challenge timeout failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
