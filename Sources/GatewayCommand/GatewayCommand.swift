import ArgumentParser
import Client
import Foundation
import Gateway
import Hummingbird
import Logging
import ServerRuntime
import StorageProtocol
import UnixSignals

@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Zenswarm's key-value API and an S3-compatible API over an allocation (docs/GATEWAY.md).",
        subcommands: [InitCommand.self, ServeCommand.self, KeysCommand.self])
}

struct HomeOption: ParsableArguments {
    @Option(help: "The wallet folder (as blob's --home; else $BLOB_HOME, else ~/.blob).") var home: String?

    var clientHome: ClientHome { ClientHome(explicit: home) }
}

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a commented gateway.yaml into the wallet folder (or --config).")

    @OptionGroup var home: HomeOption
    @Option(help: "Where to write the configuration (default HOME/gateway.yaml).") var config: String?

    func run() throws {
        let folder = home.clientHome.path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = config ?? folder + "/gateway.yaml"
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("\(path) exists; it is never overwritten")
        }
        try Data(GatewayConfiguration.template.utf8).write(to: URL(fileURLWithPath: path))
        print("wrote \(path)")
    }
}

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "The gateway's access keys.", subcommands: [Create.self, List.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an S3 access key pair and a bearer API key, kept in HOME/gateway-keys.json (mode 0600).")

        @OptionGroup var home: HomeOption
        @Option(
            name: .customLong("bucket"),
            help: "A bucket the key may use (repeat; default: every bucket; .kv is the key-value store).")
        var buckets: [String] = []
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let folder = home.clientHome.path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let key = AccessKey.generate(
                buckets: buckets.isEmpty ? ["*"] : buckets, now: Int64(Date().timeIntervalSince1970 * 1000))
            try AccessKeyStore(home: folder).add(key)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(key), as: UTF8.self))
            } else {
                print("access key id:     \(key.accessKeyID)")
                print("secret access key: \(key.secretAccessKey)")
                print("api key:           \(key.apiKey)")
                print("buckets:           \(key.buckets.joined(separator: ", "))")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the access key ids and their buckets.")
        @OptionGroup var home: HomeOption

        func run() throws {
            for key in try AccessKeyStore(home: home.clientHome.path).load() {
                print("\(key.accessKeyID)  \(key.buckets.joined(separator: ","))")
            }
        }
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the key-value and S3 APIs over the wallet's allocation.")

    @OptionGroup var home: HomeOption
    @Option(help: "HOST:PORT to listen on (port 0: any free port; the bound one is printed).") var listen: String?
    @Option(help: "The configuration file (default HOME/gateway.yaml when it exists).") var config: String?
    @Option(help: "Override: seconds between expiry sweeps.") var sweepInterval: Double?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func run() async throws {
        let clientHome = home.clientHome
        let folder = clientHome.path
        var configuration = GatewayConfiguration()
        let path = config ?? folder + "/gateway.yaml"
        if config != nil || FileManager.default.fileExists(atPath: path) {
            configuration = try GatewayConfiguration.load(from: path)
        }
        if let listen { configuration.listen = listen }
        if let sweepInterval { configuration.sweepInterval = sweepInterval }
        try configuration.validate()
        let (host, port) = try GatewayConfiguration.parseListen(configuration.listen)
        let logging = ServerLogging(format: .text, level: ServerLogging.level(logLevel) ?? .info)
        logging.bootstrap()
        let logger = Logger(label: "gateway")
        let allocation: AllocationID?
        if configuration.allocation.isEmpty {
            allocation = nil
        } else {
            guard let id = AllocationID(hex: configuration.allocation) else {
                throw ValidationError("allocation in \(path) is not a hex allocation id")
            }
            allocation = id
        }
        let client = try await BlobClient.open(home: clientHome, allocation: allocation)
        // Bodies staged by an earlier run that stopped mid-request: never committed, so never needed.
        try? FileManager.default.removeItem(atPath: folder + "/gateway-staging")
        let keys = try AccessKeyStore(home: folder).load()
        if keys.isEmpty { logger.warning("no access keys yet: every write is refused (gateway keys create)") }
        let store = ObjectStore(
            client: client, cacheBytes: configuration.cacheBytes, cacheMaxValueBytes: configuration.cacheMaxValueBytes)
        // Pegs are signed by the wallet the gateway writes with, through the ledger its settings name.
        let settings = try clientHome.loadSettings()
        guard let ledgerURL = settings.ledgerURL else { throw ClientError.noLedger }
        let pegger = Pegger(ledger: LedgerClient(baseURL: ledgerURL), key: try clientHome.loadWallet())
        let responder = GatewayResponder(
            store: store, configuration: configuration, keys: keys, home: folder, logger: logger, pegger: pegger)
        let cacheBytes = configuration.cacheBytes
        let cacheMaxValueBytes = configuration.cacheMaxValueBytes
        @Sendable func openStores(_ policies: [Policy]) async throws -> [String: ObjectStore] {
            var stores: [String: ObjectStore] = [:]
            for hex in Set(policies.map(\.allocation)) where !hex.isEmpty && hex != client.id.hex {
                guard let id = AllocationID(hex: hex) else {
                    throw ValidationError("allocation \(hex) is not a hex id")
                }
                let other = try await BlobClient.open(home: clientHome, allocation: id)
                stores[hex] = ObjectStore(
                    client: other, cacheBytes: cacheBytes, cacheMaxValueBytes: cacheMaxValueBytes)
            }
            return stores
        }
        responder.replacePolicies(configuration.policies, stores: try await openStores(configuration.policies))
        // SIGHUP: the key file and the configuration's policies again; a file that does not load
        // changes nothing.
        let configurationPath: String? = config != nil || FileManager.default.fileExists(atPath: path) ? path : nil
        let reloads = ReloadSignals.handle(logger: logger) { _ in
            do {
                let fresh = try AccessKeyStore(home: folder).load()
                let policies = try configurationPath.map { try GatewayConfiguration.load(from: $0).policies } ?? []
                let stores = try await openStores(policies)
                responder.replaceKeys(fresh)
                responder.replacePolicies(policies, stores: stores)
                logger.notice(
                    "reloaded", metadata: ["gateway.keys": "\(fresh.count)", "gateway.policies": "\(policies.count)"])
            } catch {
                logger.error("reload failed, nothing changed", metadata: ["error": "\(error)"])
            }
        }
        defer { reloads.cancel() }
        let app = buildGatewayApplication(
            responder: responder, host: host, port: port, logger: logger,
            onServerRunning: { bound in
                FileHandle.standardOutput.write(Data("listening on http://\(host):\(bound)\n".utf8))
            })
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
