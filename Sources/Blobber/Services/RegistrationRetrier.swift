import Foundation
public import Logging
public import ServiceLifecycle
import StorageProtocol
import Synchronization

/// Registers the blobber on the ledger if the attempt made when the server started failed (the
/// ledger was down): retries with exponential backoff (1 s doubling to 30 s) until it succeeds.
public struct RegistrationRetrier: Service {
    /// The URL to register once the server bound its port, and whether the ledger has the blobber.
    let state: @Sendable () -> (url: String?, done: Bool)
    /// One attempt (`BlobberNode.registerIfNeeded(url:)`).
    let register: @Sendable (String) async throws -> Void
    let logger: Logger

    public init(
        logger: Logger, state: @escaping @Sendable () -> (url: String?, done: Bool),
        register: @escaping @Sendable (String) async throws -> Void
    ) {
        self.state = state
        self.register = register
        self.logger = logger
    }

    /// Retries the node's registration.
    public init(node: BlobberNode) {
        self.init(
            logger: node.logger, state: { node.registration.withLock { ($0.url, $0.done) } },
            register: { try await node.registerIfNeeded(url: $0) })
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        var delay = Duration.seconds(1)
        while !Task.isCancelled {
            do { try await Task.sleep(for: delay) } catch { break }
            let (url, done) = state()
            if done {
                delay = .seconds(30)
                continue
            }
            guard let url else { continue }
            do {
                try await register(url)
            } catch {
                delay = min(delay * 2, .seconds(30))
                if case BlobberError.registrationRefused = error {
                    // The ledger answered no: nothing will change until someone acts on what it said.
                    logger.error("registration refused", metadata: ["error": "\(error)"])
                } else {
                    logger.info("registration retry failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
