import ArgumentParser
import Foundation
import Hummingbird
import Ledger
import Logging
import Metrics
import ServerRuntime
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the ledger's HTTP API.")

    @OptionGroup var data: DataOptions
    @Option(help: "TCP port (0: any free port; the bound port is printed).") var port: Int = 8100
    @Option(help: "Address to bind.") var host: String = "127.0.0.1"
    @Flag(help: "Enable the faucet (test networks only; fixed in genesis when the folder is created).")
    var faucet = false
    @Option(help: "Seconds between block seals.") var blockInterval: Double = 1
    @Option(help: "Issue a challenge every N sealed blocks (0: never).") var challengeInterval: UInt64 = 5
    @Option(help: "Seconds a challenged blobber has to answer (fixed in genesis).") var challengeTimeout: Double = 30
    @Option(help: "Largest request body in bytes.") var maxBody: Int = 64 << 20
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"
    @Option(help: "Log format: text or json (one JSON object a line).") var logFormat: String = "text"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard blockInterval > 0 else { throw ValidationError("--block-interval must be positive") }
        guard challengeTimeout > 0 else { throw ValidationError("--challenge-timeout must be positive") }
        guard maxBody > 0 else { throw ValidationError("--max-body must be positive") }
        guard ServerLogging.level(logLevel) != nil else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical")
        }
        guard ServerLogging.Format(rawValue: logFormat) != nil else { throw ValidationError("--log-format must be text or json") }
    }

    /// Help text of the ledger's own metrics (`/metrics`; docs/PROTOCOL.md section 7.9).
    static let metricsHelp = [
        "ledger_block_height": "Height of the latest sealed block",
        "ledger_transactions_total": "Transactions applied, by kind and status (applied or duplicate)",
        "ledger_refusals_total": "Transactions refused, by error code",
        "ledger_challenges_issued_total": "Challenges issued",
        "ledger_challenges_timed_out_total": "Challenges that timed out",
    ]

    func run() async throws {
        let logging = ServerLogging(
            format: ServerLogging.Format(rawValue: logFormat) ?? .text, level: ServerLogging.level(logLevel) ?? .info)
        logging.bootstrap()
        let metrics = PrometheusExposition(help: Self.metricsHelp)
        MetricsSystem.bootstrap(metrics)
        let logger = Logger(label: "ledger")
        // The ledger's rules are fixed in genesis and it reads no configuration file: a reload has nothing
        // to change, and says so (it must never stop the ledger, as SIGUSR1's default action would).
        let reloads = ReloadSignals.handle(logger: logger) { _ in
            logger.info(
                "reloaded: nothing to change (rules are fixed in genesis)", metadata: ["log.level": "\(logging.level)"])
        }
        defer { reloads.cancel() }
        let configuration = LedgerConfiguration(
            dataDirectory: data.directory, host: host, port: port,
            rules: LedgerRules(faucet: faucet, challengeTimeout: Int64(challengeTimeout * 1000)),
            blockInterval: .milliseconds(Int64(blockInterval * 1000)), challengeInterval: challengeInterval,
            maxBodyBytes: maxBody)
        let host = self.host
        let app = try buildLedgerApplication(
            configuration: configuration, logger: logger, metricsText: { metrics.text() },
            onServerRunning: { port in
                FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
            })
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
