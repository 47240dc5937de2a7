import ArgumentParser
import Blobber
import Foundation
import Hummingbird
import Logging
import Metrics
import ServerRuntime
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Register on the ledger if needed, then serve the blobber HTTP API.")

    @Option(help: "The YAML configuration file (blobber init writes one).") var config: String
    @Option(help: "Override: TCP port (0: any free port; the bound port is printed).") var port: Int?
    @Option(help: "Override: address to bind.") var host: String?
    @Option(help: "Override: the ledger's URL.") var ledgerURL: String?
    @Option(help: "Override: the URL registered on the ledger.") var publicURL: String?
    @Option(help: "Override: bytes offered.") var capacity: UInt64?
    @Option(help: "Override: stake locked at registration, in units.") var stake: UInt64?
    @Option(help: "Override: region name.") var region: String?
    @Option(help: "Override: submit a chain when this many markers wait, and at most this many in one.")
    var batchMaxMarkers: Int?
    @Option(help: "Override: submit when the oldest marker waited this many seconds.") var batchMaxAge: Double?
    @Option(help: "Override: submit when no marker arrived for this many seconds.") var batchIdle: Double?
    @Option(help: "Override: seconds an allocation's terms from the ledger are trusted.") var termsRefresh: Double?
    @Option(help: "Override: seconds between challenge polls.") var challengePollInterval: Double?
    @Option(help: "Override: seconds between collections of old versions and stale uploads.") var gcInterval: Double?
    @Option(help: "Override: seconds after which a staged upload never committed is collected.")
    var stagedUploadLifetime: Double?
    @Option(help: "Override: seconds a connection may go without sending a whole request head.")
    var idleTimeout: Double?
    @Option(help: "Override: connections served at once (more wait in the backlog).") var maxConnections: Int?
    @Option(help: "Override: delay every answer by this many ms (test networks).") var faultDelayMs: Int?
    @Flag(help: "Test networks only: take the stake from the ledger's faucet before registering.")
    var faucet = false
    @Option(help: "Override: log level: trace, debug, info, notice, warning, error, critical (file: log_level).")
    var logLevel: String?
    @Option(help: "Log format: text or json (one JSON object a line).") var logFormat: String = "text"

    func validate() throws {
        if let logLevel, ServerLogging.level(logLevel) == nil {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical")
        }
        guard ServerLogging.Format(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format must be text or json")
        }
    }

    /// The configuration file with the flags applied over it: read at start and again on every reload.
    func loadConfiguration() throws -> BlobberConfiguration {
        var configuration = try BlobberConfiguration.load(from: config)
        if let port { configuration.port = port }
        if let host { configuration.host = host }
        if let ledgerURL { configuration.ledgerURL = ledgerURL }
        if let publicURL { configuration.publicURL = publicURL }
        if let capacity { configuration.capacity = capacity }
        if let stake { configuration.stake = stake }
        if let region { configuration.region = region }
        if let batchMaxMarkers { configuration.batchMaxMarkers = batchMaxMarkers }
        if let batchMaxAge { configuration.batchMaxAge = batchMaxAge }
        if let batchIdle { configuration.batchIdle = batchIdle }
        if let termsRefresh { configuration.termsRefresh = termsRefresh }
        if let challengePollInterval { configuration.challengePollInterval = challengePollInterval }
        if let gcInterval { configuration.gcInterval = gcInterval }
        if let stagedUploadLifetime { configuration.stagedUploadLifetime = stagedUploadLifetime }
        if let idleTimeout { configuration.idleTimeout = idleTimeout }
        if let maxConnections { configuration.maxConnections = maxConnections }
        if let faultDelayMs { configuration.faultDelayMilliseconds = faultDelayMs }
        if faucet { configuration.faucet = true }
        if let logLevel { configuration.logLevel = logLevel }
        try configuration.validate()
        return configuration
    }

    func run() async throws {
        let configuration = try loadConfiguration()
        let logging = ServerLogging(
            format: ServerLogging.Format(rawValue: logFormat) ?? .text,
            level: ServerLogging.level(configuration.logLevel) ?? .info)
        logging.bootstrap()
        let metrics = PrometheusExposition(help: BlobberMetrics.help)
        MetricsSystem.bootstrap(metrics)
        let logger = Logger(label: "blobber")
        let node = try BlobberNode(configuration: configuration, logger: logger)
        let reloads = ReloadSignals.handle(logger: logger) { _ in
            await reload(node: node, logging: logging, logger: logger)
        }
        defer { reloads.cancel() }
        let host = configuration.host
        let app = buildBlobberApplication(
            node: node, metricsText: { metrics.text() },
            onServerRunning: { port in
                FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
            })
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// SIGHUP, SIGUSR1: reads the configuration file again (flags still override it) and takes its log
    /// level, capacity and prices (`BlobberNode.reloadTerms(from:)`), then logs one line saying what
    /// changed. Everything else needs a restart. A file that no longer loads, or terms the ledger refuses,
    /// change nothing and are logged as an error; the blobber keeps running either way.
    func reload(node: BlobberNode, logging: ServerLogging, logger: Logger) async {
        do {
            let fresh = try loadConfiguration()
            var changed = try await node.reloadTerms(from: fresh)
            let level = ServerLogging.level(fresh.logLevel) ?? logging.level
            if level != logging.level {
                logging.level = level
                changed.append("log_level")
            }
            let terms = node.terms
            logger.notice(
                "reloaded",
                metadata: [
                    "reload.changed": "\(changed.isEmpty ? "nothing" : changed.joined(separator: ","))",
                    "log.level": "\(logging.level)", "blobber.capacity": "\(terms.capacity)",
                    "blobber.read_price": "\(terms.readPrice)", "blobber.write_price": "\(terms.writePrice)",
                ])
        } catch {
            logger.error("reload failed, nothing changed", metadata: ["error": "\(error)"])
        }
    }
}
