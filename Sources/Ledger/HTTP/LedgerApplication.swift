public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
import ServiceLifecycle

/// Builds the ledger's HTTP application with its services (block sealer, challenge watcher).
/// `metricsText` renders `/metrics` (the executable passes its Prometheus registry);
/// `onServerRunning` receives the bound port.
public func buildLedgerApplication(
    configuration: LedgerConfiguration, ledger: Ledger, logger: Logger,
    metricsText: @escaping @Sendable () -> String = { "" },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = buildLedgerRouter(configuration: configuration, ledger: ledger, metricsText: metricsText)
    return Application(
        router: router,
        // Hummingbird's idle timeout counts whole HTTP parts: a connection trickling header bytes is closed too.
        server: .http1(configuration: .init(idleTimeout: TimeAmount(configuration.idleTimeout))),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "ledger",
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
        services: [
            BlockSealer(ledger: ledger, configuration: configuration, logger: logger),
            ChallengeWatcher(ledger: ledger, interval: configuration.timeoutCheckInterval, logger: logger),
        ],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
}

/// Every route of the ledger's HTTP API (docs/PROTOCOL.md section 7.7; `/openapi.json` describes them).
public func buildLedgerRouter(
    configuration: LedgerConfiguration, ledger: Ledger, metricsText: @escaping @Sendable () -> String = { "" }
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: RouteErrorMiddleware())
    router.get("health") { _, _ in JSONResponse.make(["status": "ok"]) }
    router.get("openapi.json") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: LedgerOpenAPI.document)))
    }
    router.get("metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: metricsText())))
    }
    ExplorerController(ledger: ledger).addRoutes(to: router.group("explorer"))
    let v1 = router.group("v1")
    TransactionController(ledger: ledger, maxBodyBytes: configuration.maxBodyBytes)
        .addRoutes(to: v1.group("transactions"))
    InfoController(ledger: ledger).addRoutes(to: v1.group("ledger"))
    BlockController(ledger: ledger).addRoutes(to: v1.group("blocks"))
    BlobberController(ledger: ledger).addRoutes(to: v1.group("blobbers"))
    AccountController(ledger: ledger).addRoutes(to: v1.group("accounts"))
    AllocationController(ledger: ledger).addRoutes(to: v1.group("allocations"))
    ChallengeController(ledger: ledger).addRoutes(to: v1.group("challenges"))
    return router
}

/// Opens the ledger in `configuration.dataDirectory` and builds its application.
public func buildLedgerApplication(
    configuration: LedgerConfiguration, logger: Logger = Logger(label: "ledger"),
    metricsText: @escaping @Sendable () -> String = { "" },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    guard let directory = configuration.dataDirectory else {
        throw LedgerError.storage("serve needs a data directory")
    }
    let ledger = try Ledger.open(directory: directory, rules: configuration.rules)
    return buildLedgerApplication(
        configuration: configuration, ledger: ledger, logger: logger, metricsText: metricsText,
        onServerRunning: onServerRunning)
}
