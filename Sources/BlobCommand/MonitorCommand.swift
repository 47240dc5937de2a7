import ArgumentParser
import Client
import CoreMetrics
import Foundation
import Hummingbird
import Logging
import ServerRuntime
import StorageProtocol
import Synchronization
import UnixSignals
import Yams

/// `blob monitor`: the self-healing daemon (zstor's `monitor`), a loop over `AllocationMonitor.round()`
/// for each watched allocation, with Prometheus metrics, a config reloaded on SIGHUP/SIGUSR1 and a clean
/// stop on SIGTERM/SIGINT.
struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Watch allocations: audit blobbers, repair what is behind or damaged, replace dead blobbers.",
        discussion: """
            Each round asks every blobber for its state, reads a few random blocks of a few random files from \
            every blobber and checks them against the roots this wallet signed, repairs blobbers that are behind, \
            wrong or damaged, and replaces through the ledger a blobber unreachable or failing for longer than \
            --replace-after (then fills the new one). SIGHUP or SIGUSR1 reloads --config; SIGTERM stops after \
            the step in progress.
            """)
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id to watch (repeat for several; default: the default allocation).") var alloc: [String] = []
    @Flag(help: "Watch every allocation this wallet created.") var all = false
    @Option(help: "Time between rounds, e.g. 30s.") var interval: String?
    @Option(name: .customLong("replace-after"), help: "Replace a blobber unhealthy this long, e.g. 10m.")
    var replaceAfter: String?
    @Option(help: "Serve Prometheus metrics at HOST:PORT (GET /metrics).") var metrics: String?
    @Option(help: "YAML config (interval, replace_after, audit_files, audit_blocks, allocations, log_level).")
    var config: String?
    @Option(name: .customLong("log-format"), help: "Log format: text or json (one JSON object a line).")
    var logFormat: String = "text"
    @Option(name: .customLong("log-level"), help: "Log level (trace … critical; default info), over the config's log_level.")
    var logLevel: String?

    func validate() throws {
        guard ServerLogging.Format(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format must be text or json")
        }
        if let logLevel, ServerLogging.level(logLevel) == nil {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// What the config file may set; the command line wins over it.
    struct Config: Decodable, Equatable {
        var interval: String?
        var replaceAfter: String?
        var auditFiles: Int?
        var auditBlocks: Int?
        var allocations: [String]?
        var logLevel: String?

        enum CodingKeys: String, CodingKey {
            case interval, allocations
            case replaceAfter = "replace_after"
            case auditFiles = "audit_files"
            case auditBlocks = "audit_blocks"
            case logLevel = "log_level"
        }

        static func load(_ path: String) throws(ClientError) -> Config {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .localFile(path: path, reason: "cannot read the monitor config")
            }
            do {
                return try YAMLDecoder().decode(Config.self, from: data)
            } catch {
                throw .invalidArgument("\(path) is not a monitor config: \(error)")
            }
        }
    }

    /// The settings in force: the command line over the config file over the defaults.
    struct Settings: Equatable {
        var interval: Int64
        var policy: AllocationMonitor.Policy
        var allocations: [String]
        var logLevel: Logger.Level
    }

    func settings(_ file: Config?) throws(ClientError) -> Settings {
        func duration(_ text: String?, _ option: String, default value: Int64) throws(ClientError) -> Int64 {
            guard let text else { return value }
            guard let parsed = Sizes.parseDuration(text) else {
                throw .invalidArgument("\(option) \(text) is not a duration like 30s or 10m")
            }
            return parsed
        }
        var policy = AllocationMonitor.Policy()
        policy.replaceAfter = try duration(replaceAfter ?? file?.replaceAfter, "--replace-after", default: 600_000)
        policy.auditFiles = max(0, min(file?.auditFiles ?? policy.auditFiles, 1000))
        policy.auditBlocks = max(1, min(file?.auditBlocks ?? policy.auditBlocks, 1000))
        let level = logLevel.flatMap(ServerLogging.level) ?? file?.logLevel.flatMap(ServerLogging.level) ?? .info
        return Settings(
            interval: max(100, try duration(interval ?? file?.interval, "--interval", default: 30_000)),
            policy: policy, allocations: alloc.isEmpty ? (file?.allocations ?? []) : alloc, logLevel: level)
    }

    func run() async throws {
        let logging = ServerLogging(format: ServerLogging.Format(rawValue: logFormat) ?? .text, level: .info)
        logging.bootstrap()
        let logger = Logger(label: "blob.monitor")
        let context: CommandContext
        do {
            context = try CommandContext(options)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
        let current: Settings
        let ledger: LedgerClient
        let watched: [AllocationID]
        do throws(ClientError) {
            current = try settings(config.map(Config.load))
            ledger = try context.ledger()
            watched = try watchedAllocations(current, context: context)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
        logging.level = current.logLevel
        let metricsState = MonitorMetrics()
        let watching = Watching(home: context.home, ledger: ledger, settings: current, allocations: watched)
        logger.info(
            "monitoring",
            metadata: [
                "allocations": "\(watched.map(\.short))", "interval_ms": "\(current.interval)",
                "replace_after_ms": "\(current.policy.replaceAfter)",
            ])

        // Reload: the config file again (the command line still wins); a bad file keeps what is in force.
        let reloads = ReloadSignals.handle(logger: logger) { _ in
            do throws(ClientError) {
                let next = try settings(config.map(Config.load))
                let ids = try watchedAllocations(next, context: context)
                watching.update(next, allocations: ids)
                logging.level = next.logLevel
                logger.info(
                    "reloaded the config",
                    metadata: [
                        "allocations": "\(ids.map(\.short))", "interval_ms": "\(next.interval)",
                        "replace_after_ms": "\(next.policy.replaceAfter)", "log_level": "\(next.logLevel)",
                    ])
            } catch {
                logger.error("config not reloaded; the one in force stays", metadata: ["reason": "\(error)"])
            }
        }
        defer { reloads.cancel() }

        try await withThrowingTaskGroup(of: Void.self) { group in
            if let metrics {
                let (host, port) = try Self.hostPort(metrics)
                let router = Router()
                router.get("/metrics") { _, _ in
                    Response(
                        status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: .init(byteBuffer: ByteBuffer(string: metricsState.exposition.text())))
                }
                let app = Application(
                    router: router, configuration: .init(address: .hostname(host, port: port)),
                    onServerRunning: { channel in
                        logger.info("metrics listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "")"])
                    }, logger: Logger(label: "blob.monitor.metrics"))
                group.addTask { try await app.run() }
            }
            // Stops on SIGTERM or SIGINT: the round in progress finishes its step, the wait ends at once.
            let stop = StopFlag()
            let loop = Task {
                while !stop.isSet {
                    for monitor in watching.monitors() {
                        if stop.isSet { break }
                        let round = await monitor.round()
                        metricsState.record(round)
                        for decision in round.decisions {
                            logger.info("\(decision)", metadata: ["allocation.id": "\(monitor.allocation.short)"])
                        }
                        logger.debug(
                            "round",
                            metadata: [
                                "allocation.id": "\(monitor.allocation.short)", "seconds": "\(round.seconds)",
                                "audits_passed": "\(round.auditsPassed)", "audits_failed": "\(round.auditsFailed)",
                            ])
                    }
                    let wait = watching.settings.interval
                    try? await Task.sleep(for: .milliseconds(wait))
                }
            }
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                logger.info("stopping", metadata: ["signal": "\(signal)"])
                stop.set()
                break
            }
            loop.cancel()
            await loop.value
            group.cancelAll()
        }
        logger.info("stopped")
    }

    func watchedAllocations(_ settings: Settings, context: CommandContext) throws(ClientError) -> [AllocationID] {
        if all {
            guard !context.settings.allocations.isEmpty else { throw .noAllocation }
            return context.settings.allocations
        }
        if settings.allocations.isEmpty { return [try context.allocationID(nil)] }
        return try settings.allocations.map { text throws(ClientError) in try context.allocationID(text) }
    }

    static func hostPort(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ValidationError("--metrics \(text) is not HOST:PORT") }
        return (String(text[..<colon]), port)
    }
}

/// The allocations watched, their monitors and the settings in force; a reload replaces them.
final class Watching: Sendable {
    private let state: Mutex<(settings: MonitorCommand.Settings, ids: [AllocationID], monitors: [AllocationID: AllocationMonitor])>
    let home: ClientHome
    let ledger: LedgerClient

    init(home: ClientHome, ledger: LedgerClient, settings: MonitorCommand.Settings, allocations: [AllocationID]) {
        self.home = home
        self.ledger = ledger
        state = Mutex((settings, allocations, [:]))
    }

    var settings: MonitorCommand.Settings { state.withLock { $0.settings } }

    func update(_ settings: MonitorCommand.Settings, allocations: [AllocationID]) {
        state.withLock { state in
            state.settings = settings
            state.ids = allocations
        }
    }

    /// A monitor per watched allocation (kept across rounds: it remembers how long each blobber has been
    /// unhealthy), with the policy in force.
    func monitors() -> [AllocationMonitor] {
        state.withLock { state in
            state.ids.map { id in
                if let existing = state.monitors[id] {
                    existing.policy = state.settings.policy
                    return existing
                }
                let made = AllocationMonitor(allocation: id, home: home, ledger: ledger, policy: state.settings.policy)
                state.monitors[id] = made
                return made
            }
        }
    }
}

final class StopFlag: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}

/// The monitor's Prometheus series, one set per allocation.
final class MonitorMetrics: Sendable {
    let exposition = PrometheusExposition(help: [
        "blob_monitor_blobbers": "Blobbers of the allocation by health in the last round",
        "blob_monitor_audits": "Sampled block audits, by outcome",
        "blob_monitor_repairs": "Blobbers repaired",
        "blob_monitor_rebuilt_bytes": "Shard bytes rebuilt by repairs",
        "blob_monitor_replacements": "Blobbers replaced through the ledger",
        "blob_monitor_round_seconds": "Duration of the last round",
        "blob_monitor_rounds": "Rounds run",
        "blob_monitor_round_errors": "Steps of rounds that failed (tried again next round)",
    ])

    func record(_ round: AllocationMonitor.Round) {
        let allocation = ("allocation", String(round.allocationID.prefix(16)))
        let healthy = round.blobbers.filter(\.healthy).count
        exposition.makeRecorder(label: "blob_monitor_blobbers", dimensions: [allocation, ("state", "healthy")], aggregate: false)
            .record(Int64(healthy))
        exposition.makeRecorder(
            label: "blob_monitor_blobbers", dimensions: [allocation, ("state", "unhealthy")], aggregate: false
        ).record(Int64(round.blobbers.count - healthy))
        exposition.makeCounter(label: "blob_monitor_audits", dimensions: [allocation, ("outcome", "passed")])
            .increment(by: Int64(round.auditsPassed))
        exposition.makeCounter(label: "blob_monitor_audits", dimensions: [allocation, ("outcome", "failed")])
            .increment(by: Int64(round.auditsFailed))
        exposition.makeCounter(label: "blob_monitor_repairs", dimensions: [allocation])
            .increment(by: Int64(round.repaired.count))
        exposition.makeCounter(label: "blob_monitor_rebuilt_bytes", dimensions: [allocation])
            .increment(by: Int64(clamping: round.rebuiltBytes))
        exposition.makeCounter(label: "blob_monitor_replacements", dimensions: [allocation])
            .increment(by: Int64(round.replaced.count))
        exposition.makeCounter(label: "blob_monitor_round_errors", dimensions: [allocation])
            .increment(by: Int64(round.errors.count))
        exposition.makeCounter(label: "blob_monitor_rounds", dimensions: [allocation]).increment(by: 1)
        exposition.makeRecorder(label: "blob_monitor_round_seconds", dimensions: [allocation], aggregate: false)
            .record(round.seconds)
    }
}
