/// How a ledger runs. The rules (`faucet`, limits, windows) are recorded in the genesis block when the
/// data folder is created and read back from it afterwards; the rest is per process.
public struct LedgerConfiguration: Sendable {
    /// Folder holding `ledger.sqlite` and `ledger-key.json`; nil for an in-memory ledger (tests, bench).
    public var dataDirectory: String?
    public var host: String
    public var port: Int
    public var rules: LedgerRules
    /// Seal the open block this often when it holds transactions.
    public var blockInterval: Duration
    /// Seal an empty block at least this often, so challenges get fresh seeds.
    public var emptyBlockInterval: Duration
    /// Issue a challenge after every `challengeInterval` sealed blocks (0: never).
    public var challengeInterval: UInt64
    /// How often expired challenges are looked for.
    public var timeoutCheckInterval: Duration
    /// Largest request body accepted, in bytes.
    public var maxBodyBytes: Int
    /// A connection that sends no whole request head (or nothing between requests) this long is closed.
    public var idleTimeout: Duration = .seconds(30)
    /// Connections served at once; more wait in the listen backlog.
    public var maxConnections: Int = 4096

    public init(
        dataDirectory: String?, host: String = "127.0.0.1", port: Int = 0, rules: LedgerRules = LedgerRules(),
        blockInterval: Duration = .seconds(1), emptyBlockInterval: Duration = .seconds(10),
        challengeInterval: UInt64 = 5, timeoutCheckInterval: Duration = .seconds(1), maxBodyBytes: Int = 64 << 20
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.rules = rules
        self.blockInterval = blockInterval
        self.emptyBlockInterval = emptyBlockInterval
        self.challengeInterval = challengeInterval
        self.timeoutCheckInterval = timeoutCheckInterval
        self.maxBodyBytes = maxBodyBytes
    }
}

/// The rules every replay must agree on; recorded in the genesis block.
public struct LedgerRules: Sendable, Hashable, Codable {
    public var faucet: Bool
    /// Largest faucet amount per transaction, in units.
    public var faucetMax: UInt64
    /// A transaction's timestamp must be within this many ms of the ledger's clock.
    public var timestampWindow: Int64
    /// Milliseconds a challenged blobber has to answer.
    public var challengeTimeout: Int64

    public init(
        faucet: Bool = false, faucetMax: UInt64 = 1_000 * 10_000_000_000, timestampWindow: Int64 = 300_000,
        challengeTimeout: Int64 = 30_000
    ) {
        self.faucet = faucet
        self.faucetMax = faucetMax
        self.timestampWindow = timestampWindow
        self.challengeTimeout = challengeTimeout
    }

    enum CodingKeys: String, CodingKey {
        case faucet
        case faucetMax = "faucet_max"
        case timestampWindow = "timestamp_window_ms"
        case challengeTimeout = "challenge_timeout_ms"
    }
}
