import Client
import StorageProtocol
import Logging
import ServiceLifecycle

/// Deletes expired keys from the blobbers every `interval` seconds (`ObjectStore.sweepExpired`).
struct ExpirySweeper: Service {
    let stores: @Sendable () -> [ObjectStore]
    /// Multipart uploads left unfinished for a week are deleted from the gateway's disk.
    let multipart: MultipartStore
    static let staleUpload: Int64 = 7 * 86_400_000
    let interval: Double
    let logger: Logger

    func run() async throws {
        // A graceful shutdown cancels the wait (and a sweep in progress, which commits all or nothing).
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                let stale = multipart.removeStale(before: ObjectStore.nowMillis() - Self.staleUpload)
                if stale > 0 {
                    logger.info("stale multipart uploads deleted", metadata: ["gateway.uploads": "\(stale)"])
                }
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
