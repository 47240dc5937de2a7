import Foundation
public import ServiceLifecycle
import StorageProtocol
import Synchronization
import Logging

/// Registers the blobber on the ledger if the attempt made when the server started failed (the
/// ledger was down): retries with exponential backoff (1 s doubling to 30 s) until it succeeds.
public struct RegistrationRetrier: Service {
    let node: BlobberNode

    public init(node: BlobberNode) {
        self.node = node
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        var delay = Duration.seconds(1)
        while !Task.isCancelled {
            do { try await Task.sleep(for: delay) } catch { break }
            let (url, done) = node.registration.withLock { ($0.url, $0.done) }
            if done {
                delay = .seconds(30)
                continue
            }
            guard let url else { continue }
            do {
                try await node.registerIfNeeded(url: url)
            } catch {
                delay = min(delay * 2, .seconds(30))
                node.logger.info("registration retry failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
