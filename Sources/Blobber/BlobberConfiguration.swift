import Foundation
import Logging
import Yams

/// Everything a blobber needs to run, read from a YAML file (`blobber init` writes a commented one)
/// and overridden by command-line flags.
public struct BlobberConfiguration: Codable, Sendable, Equatable {
    /// Folder holding the key, the database, staged uploads and shards.
    public var dataDirectory: String
    /// The key file, relative to `dataDirectory` unless absolute.
    public var keyFile: String = "blobber-key.json"
    public var host: String = "127.0.0.1"
    /// 0 picks a free port (tests).
    public var port: Int = 5100
    /// The URL clients use to reach this blobber, registered on the ledger. Empty: `http://host:port`.
    public var publicURL: String = ""
    public var ledgerURL: String = "http://127.0.0.1:5000"
    /// Bytes offered for sale.
    public var capacity: UInt64 = 10 << 30
    /// Token units per GiB read.
    public var readPrice: UInt64 = 1_000_000
    /// Token units per GiB written.
    public var writePrice: UInt64 = 10_000_000
    public var region: String = "local"
    /// Token units staked at registration (slashed on failed challenges).
    public var stake: UInt64 = 10_000_000_000
    /// Marker batching: submit a chain when this many markers wait...
    public var batchMaxMarkers: Int = 64
    /// ...or the oldest waiting marker is this old (seconds)...
    public var batchMaxAge: Double = 5
    /// ...or no marker arrived for this long (seconds).
    public var batchIdle: Double = 1
    /// How often to ask the ledger for open challenges (seconds).
    public var challengePollInterval: Double = 1
    /// How long an allocation's terms (size, expiry, membership) learned from the ledger are trusted
    /// (seconds); a request they would refuse asks again after at most 2 s.
    public var termsRefresh: Double = 30
    /// Signed requests must be within this many seconds of the blobber's clock.
    public var requestWindow: Double = 60
    /// Largest JSON request body (commit, proofs), bytes.
    public var maxJSONBody: Int = 64 << 20
    /// A connection that has not sent a whole request head (or, between requests, anything) for this
    /// long is closed (seconds): slow-header connections cannot pile up.
    public var idleTimeout: Double = 30
    /// Connections served at once; more wait in the listen backlog until one closes.
    public var maxConnections: Int = 4096
    /// Uploads of one allocation receiving bytes at once; more are refused with `upload.busy`.
    public var maxReceivingUploads: Int = 256
    /// Staged uploads untouched for this long are collected (seconds).
    public var stagedUploadLifetime: Double = 24 * 3600
    /// Seconds between collections of old entry versions, unreferenced shards and stale staged uploads.
    public var gcInterval: Double = 60
    /// Fault injection for test networks: delay every response by this many milliseconds. 0 = off.
    public var faultDelayMilliseconds: Int = 0
    /// Test networks only: take the stake from the ledger's faucet before registering.
    public var faucet: Bool = false
    /// Log level (trace, debug, info, notice, warning, error, critical); `--log-level` overrides it, and a
    /// reload (SIGHUP, SIGUSR1) reads it again.
    public var logLevel: String = "info"

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    enum CodingKeys: String, CodingKey {
        case dataDirectory = "data_dir"
        case keyFile = "key_file"
        case host, port
        case publicURL = "public_url"
        case ledgerURL = "ledger_url"
        case capacity
        case readPrice = "read_price"
        case writePrice = "write_price"
        case region, stake
        case batchMaxMarkers = "batch_max_markers"
        case batchMaxAge = "batch_max_age"
        case batchIdle = "batch_idle"
        case challengePollInterval = "challenge_poll_interval"
        case termsRefresh = "terms_refresh"
        case requestWindow = "request_window"
        case maxJSONBody = "max_json_body"
        case idleTimeout = "idle_timeout"
        case maxConnections = "max_connections"
        case maxReceivingUploads = "max_receiving_uploads"
        case stagedUploadLifetime = "staged_upload_lifetime"
        case gcInterval = "gc_interval"
        case faultDelayMilliseconds = "fault_delay_ms"
        case faucet
        case logLevel = "log_level"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var value = BlobberConfiguration(dataDirectory: try c.decode(String.self, forKey: .dataDirectory))
        func read<T: Decodable>(_ key: CodingKeys, into field: inout T) throws {
            if let decoded = try c.decodeIfPresent(T.self, forKey: key) { field = decoded }
        }
        try read(.keyFile, into: &value.keyFile)
        try read(.host, into: &value.host)
        try read(.port, into: &value.port)
        try read(.publicURL, into: &value.publicURL)
        try read(.ledgerURL, into: &value.ledgerURL)
        try read(.capacity, into: &value.capacity)
        try read(.readPrice, into: &value.readPrice)
        try read(.writePrice, into: &value.writePrice)
        try read(.region, into: &value.region)
        try read(.stake, into: &value.stake)
        try read(.batchMaxMarkers, into: &value.batchMaxMarkers)
        try read(.batchMaxAge, into: &value.batchMaxAge)
        try read(.batchIdle, into: &value.batchIdle)
        try read(.challengePollInterval, into: &value.challengePollInterval)
        try read(.termsRefresh, into: &value.termsRefresh)
        try read(.requestWindow, into: &value.requestWindow)
        try read(.maxJSONBody, into: &value.maxJSONBody)
        try read(.idleTimeout, into: &value.idleTimeout)
        try read(.maxConnections, into: &value.maxConnections)
        try read(.maxReceivingUploads, into: &value.maxReceivingUploads)
        try read(.stagedUploadLifetime, into: &value.stagedUploadLifetime)
        try read(.gcInterval, into: &value.gcInterval)
        try read(.faultDelayMilliseconds, into: &value.faultDelayMilliseconds)
        try read(.faucet, into: &value.faucet)
        try read(.logLevel, into: &value.logLevel)
        self = value
    }

    /// The key file's absolute path.
    public var keyPath: String {
        keyFile.hasPrefix("/") ? keyFile : dataDirectory + "/" + keyFile
    }

    /// Reads a YAML configuration file. Relative `data_dir` is taken relative to the file's folder.
    public static func load(from path: String) throws(ConfigurationError) -> BlobberConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path) }
        var configuration: BlobberConfiguration
        do {
            configuration = try YAMLDecoder().decode(BlobberConfiguration.self, from: data)
        } catch {
            throw .malformed(path: path, reason: "\(error)")
        }
        if !configuration.dataDirectory.hasPrefix("/") {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            configuration.dataDirectory = folder + "/" + configuration.dataDirectory
        }
        try configuration.validate()
        return configuration
    }

    public func validate() throws(ConfigurationError) {
        guard !dataDirectory.isEmpty else { throw .invalid("data_dir must be set") }
        guard (0...65535).contains(port) else { throw .invalid("port must be 0 to 65535") }
        guard capacity > 0 else { throw .invalid("capacity must be positive") }
        guard batchMaxMarkers >= 1 else { throw .invalid("batch_max_markers must be at least 1") }
        guard batchMaxAge > 0, batchIdle > 0, challengePollInterval > 0, gcInterval > 0, stagedUploadLifetime > 0 else {
            throw .invalid(
                "batch_max_age, batch_idle, challenge_poll_interval, gc_interval and staged_upload_lifetime must be positive"
            )
        }
        guard termsRefresh > 0, termsRefresh <= 86_400 else { throw .invalid("terms_refresh must be more than 0 and at most 86400 seconds") }
        guard requestWindow >= 1 else { throw .invalid("request_window must be at least 1 second") }
        guard maxJSONBody >= 1024 else { throw .invalid("max_json_body must be at least 1024") }
        guard idleTimeout >= 1, idleTimeout <= 86_400 else { throw .invalid("idle_timeout must be 1 to 86400 seconds") }
        guard maxConnections >= 16 else { throw .invalid("max_connections must be at least 16") }
        guard maxReceivingUploads >= 1 else { throw .invalid("max_receiving_uploads must be at least 1") }
        guard faultDelayMilliseconds >= 0 else { throw .invalid("fault_delay_ms must not be negative") }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw .invalid("log_level must be trace, debug, info, notice, warning, error or critical")
        }
        guard URL(string: ledgerURL)?.host != nil else { throw .invalid("ledger_url \(ledgerURL) is not a URL") }
    }
}

public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String)
    case malformed(path: String, reason: String)
    case invalid(String)

    public var code: String {
        switch self {
        case .unreadable: "config.unreadable"
        case .malformed: "config.malformed"
        case .invalid: "config.invalid"
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read configuration file \(path)"
        case .malformed(let path, let reason): "configuration file \(path) is malformed: \(reason)"
        case .invalid(let reason): "invalid configuration: \(reason)"
        }
    }
}
