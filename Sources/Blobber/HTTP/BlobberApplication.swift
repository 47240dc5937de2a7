import CoreMetrics
public import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import StorageProtocol
import ServiceLifecycle

/// Builds the blobber's HTTP application with its services (marker batcher, challenge responder).
/// `metricsText` renders `/metrics` (the executable passes its Prometheus registry); `onServerRunning`
/// receives the bound port after the blobber is registered on the ledger.
public func buildBlobberApplication(
    node: BlobberNode,
    metricsText: @escaping @Sendable () -> String = { "" },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let configuration = node.configuration
    let router = buildBlobberRouter(node: node, metricsText: metricsText)
    let logger = node.logger
    return Application(
        router: router,
        // Hummingbird's idle timeout counts whole HTTP parts, so it also closes a connection that trickles
        // its header bytes and never completes a request head.
        server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000)))),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "blobber",
            availableConnectionsDelegate: MaximumAvailableConnections(
                configuration.maxConnections, logger: node.logger)),
        services: [
            MarkerBatcher(node: node), ChallengeResponder(node: node), Collector(node: node),
            RegistrationRetrier(node: node),
        ],
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            let url = configuration.publicURL.isEmpty ? "http://\(configuration.host):\(port)" : configuration.publicURL
            do {
                try await node.registerIfNeeded(url: url)
            } catch {
                logger.error("registration on the ledger failed", metadata: ["error": "\(error)"])
            }
            await onServerRunning(port)
        },
        logger: logger)
}

/// The blobber's router: every route of `BlobberRoute` behind the logging, metrics and error middleware.
/// `/metrics` records the storage gauges before it renders `metricsText`.
public func buildBlobberRouter(node: BlobberNode, metricsText: @escaping @Sendable () -> String = { "" })
    -> Router<BlobberRequestContext>
{
    let router = Router(context: BlobberRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: RequestCountMiddleware())
    if node.configuration.faultDelayMilliseconds > 0 {
        router.add(middleware: FaultDelayMiddleware(delay: .milliseconds(node.configuration.faultDelayMilliseconds)))
    }
    router.get(RouterPath(BlobberRoute.health)) { _, _ in JSONResponse.make(["status": "ok"]) }
    router.get(RouterPath(BlobberRoute.metrics)) { _, _ in
        try await node.recordStorageGauges()
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: metricsText())))
    }
    router.get(RouterPath(BlobberRoute.openAPI)) { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: BlobberOpenAPI.document)))
    }
    let shards = node.shards
    router.get(RouterPath(BlobberRoute.info)) { _, _ in
        let used = try await BlockingIO.run { shards.diskUsed() }
        return JSONResponse.make(
            BlobberInfo(
                blobberID: node.blobberID, publicKey: node.key.publicKey, capacity: node.terms.capacity,
                used: used, region: node.configuration.region))
    }
    AllocationController(node: node).addRoutes(to: router.group(RouterPath(BlobberRoute.allocations)))
    return router
}
