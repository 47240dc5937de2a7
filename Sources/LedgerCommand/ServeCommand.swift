import ArgumentParser
import Foundation
import Hummingbird
import Ledger
import Logging
import Metrics
import Prometheus
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

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard blockInterval > 0 else { throw ValidationError("--block-interval must be positive") }
        guard challengeTimeout > 0 else { throw ValidationError("--challenge-timeout must be positive") }
        guard maxBody > 0 else { throw ValidationError("--max-body must be positive") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "ledger")
        let configuration = LedgerConfiguration(
            dataDirectory: data.directory, host: host, port: port,
            rules: LedgerRules(faucet: faucet, challengeTimeout: Int64(challengeTimeout * 1000)),
            blockInterval: .milliseconds(Int64(blockInterval * 1000)), challengeInterval: challengeInterval,
            maxBodyBytes: maxBody)
        let host = self.host
        let app = try buildLedgerApplication(
            configuration: configuration, logger: logger, metricsText: { registry.emitToString() },
            onServerRunning: { port in
                FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
            })
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
