import Client
import StorageProtocol
import Logging
import ServiceLifecycle

/// Deletes expired keys from the blobbers every `interval` seconds (`ObjectStore.sweepExpired`).
struct ExpirySweeper: Service {
    let stores: @Sendable () -> [ObjectStore]
    let interval: Double
    let logger: Logger

    func run() async throws {
        // A graceful shutdown cancels the wait (and a sweep in progress, which commits all or nothing).
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                for store in stores() {
                    do {
                        let swept = try await store.sweepExpired()
                        if swept > 0 {
                            logger.info(
                                "expired keys deleted",
                                metadata: [
                                    "gateway.swept": "\(swept)",
                                    "gateway.allocation": "\(store.client.id.hex.prefix(16))",
                                ])
                        }
                    } catch {
                        logger.warning("expiry sweep failed; next sweep retries", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }
}
