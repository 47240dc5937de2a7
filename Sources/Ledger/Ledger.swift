import Dispatch
import Foundation
import GRDB
import Logging
import Merkle
public import StorageProtocol

/// The ledger: admits signed transactions, applies them atomically, seals blocks and runs challenges.
/// One writer (SQLite's); reads run concurrently on the pool.
public final class Ledger: Sendable {
    public let database: LedgerDatabase
    private let key: SigningKey
    public let rules: LedgerRules
    public let clock: LedgerClock

    public var publicKey: PublicKey { key.publicKey }

    /// Opens a ledger on `database`, writing genesis (block 0 with `key` and `rules`) if it is new.
    /// An existing ledger keeps the rules of its genesis; its key must be `key`.
    public init(database: LedgerDatabase, key: SigningKey, rules: LedgerRules, clock: LedgerClock = .system) throws {
        self.database = database
        self.key = key
        self.clock = clock
        let now = clock.now()
        self.rules = try database.writer.write { db in
            if let genesis = try LedgerLog.genesis(db) {
                guard genesis.publicKey == key.publicKey else {
                    throw LedgerError.storage("the ledger key does not match genesis (\(genesis.publicKey))")
                }
                return genesis.rules
            }
            let genesis = GenesisRecord(publicKey: key.publicKey, rules: rules, timestamp: now)
            try db.execute(
                sql: "INSERT INTO ledger_meta (key, value) VALUES ('genesis', ?)",
                arguments: [TransactionCoding.encodeText(genesis)])
            let stateRoot = Block.genesisStateRoot(ledgerKey: key.publicKey, rules: rules)
            let txRoot = Block.txRoot([])
            let hash = Block.hash(
                height: 0, previousHash: .zero, txRoot: txRoot, stateRoot: stateRoot, timestamp: now, txCount: 0)
            try LedgerLog.insert(
                Block(
                    height: 0, previousHash: .zero, txRoot: txRoot, stateRoot: stateRoot, timestamp: now, txCount: 0,
                    hash: hash, signature: key.signature(over: hash)), db)
            return rules
        }
    }

    /// Opens the ledger kept in `directory` (`ledger.sqlite`, `ledger-key.json`), creating both if needed.
    public static func open(directory: String, rules: LedgerRules, clock: LedgerClock = .system) throws -> Ledger {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let keyPath = (directory as NSString).appendingPathComponent("ledger-key.json")
        let key: SigningKey
        if FileManager.default.fileExists(atPath: keyPath) {
            key = try KeyFile.read(from: keyPath)
        } else {
            key = SigningKey.generate()
            try KeyFile.write(key, to: keyPath)
        }
        let database = try LedgerDatabase(path: (directory as NSString).appendingPathComponent("ledger.sqlite"))
        return try Ledger(database: database, key: key, rules: rules, clock: clock)
    }

    // MARK: submitting

    /// Checks the envelope (signature) and decodes the payload: the work done before taking the write lock.
    static func admit(_ tx: LedgerTransaction) throws(LedgerError) -> (Hash, DecodedPayload) {
        do {
            try tx.verifySignature()
            return (tx.hash, try DecodedPayload(decoding: tx))
        } catch {
            throw .transaction(error)
        }
    }

    /// Submits a transaction: the receipt once it is applied and durable, or the refusal.
    /// A chain's marker signatures are checked on every core first, off the cooperative pool and outside
    /// the write lock (`MarkerSignatures`).
    public func submit(_ tx: LedgerTransaction) async throws(LedgerError) -> TransactionReceipt {
        let (hash, payload) = try Ledger.admit(tx)
        let database = self.database
        let owner: PublicKey? =
            if case .submitChain(let chain) = payload, chain.markers.count >= MarkerSignatures.parallelFrom {
                await withCheckedContinuation { done in
                    DispatchQueue.global().async {
                        done.resume(returning: MarkerSignatures.preverifiedOwner(payload, database: database))
                    }
                }
            } else { nil }
        return try await write { db in try self.append(db, tx: tx, hash: hash, payload: payload, preverified: owner) }
    }

    /// The same as `submit`, blocking the calling thread (benchmarks, tools).
    public func submitSync(_ tx: LedgerTransaction) throws(LedgerError) -> TransactionReceipt {
        let (hash, payload) = try Ledger.admit(tx)
        let owner = MarkerSignatures.preverifiedOwner(payload, database: database)
        return try writeSync { db in try self.append(db, tx: tx, hash: hash, payload: payload, preverified: owner) }
    }

    private func append(
        _ db: Database, tx: LedgerTransaction, hash: Hash, payload: DecodedPayload, preverified: PublicKey?
    ) throws -> TransactionReceipt {
        if let existing = try LedgerLog.receipt(db, hash: hash, status: .duplicate) { return existing }
        let now = clock.now()
        guard tx.timestamp.isWithin(rules.timestampWindow, of: now) else {
            throw LedgerError.transaction(
                .staleTimestamp(timestamp: tx.timestamp, now: now, window: rules.timestampWindow))
        }
        let context = ApplyContext(now: now, rules: rules, ledgerKey: key.publicKey, preverifiedOwner: preverified)
        return try LedgerLog.append(db, tx: tx, hash: hash, payload: payload, context: context)
    }

    // MARK: blocks

    /// Seals the open block if it holds transactions (or always, with `allowEmpty`).
    @discardableResult
    public func sealBlock(allowEmpty: Bool = false) async throws(LedgerError) -> Block? {
        try await write { db in try self.seal(db, allowEmpty: allowEmpty) }
    }

    @discardableResult
    public func sealBlockSync(allowEmpty: Bool = false) throws(LedgerError) -> Block? {
        try writeSync { db in try self.seal(db, allowEmpty: allowEmpty) }
    }

    private func seal(_ db: Database, allowEmpty: Bool) throws -> Block? {
        guard let pending = try LedgerLog.pendingBlock(db, now: clock.now(), allowEmpty: allowEmpty) else { return nil }
        let hash = Block.hash(
            height: pending.height, previousHash: pending.previousHash, txRoot: pending.txRoot,
            stateRoot: pending.stateRoot, timestamp: pending.timestamp, txCount: pending.txCount)
        let block = Block(
            height: pending.height, previousHash: pending.previousHash, txRoot: pending.txRoot,
            stateRoot: pending.stateRoot, timestamp: pending.timestamp, txCount: pending.txCount, hash: hash,
            signature: key.signature(over: hash))
        try LedgerLog.insert(block, db)
        return block
    }

    // MARK: system transactions

    /// Issues the challenge the latest sealed block selects, if any allocation stores data.
    @discardableResult
    public func issueChallenge() async throws(LedgerError) -> TransactionReceipt? {
        try await write { db in
            let now = self.clock.now()
            let store = StateStore(db: db)
            let seed = ChallengeSelection.seed(blockHash: try store.latestBlockHash())
            guard try store.challenge(seed) == nil,
                let pick = ChallengeSelection.pick(seed: seed, from: try store.challengeCandidates(now: now))
            else { return nil }
            let payload = IssueChallengePayload(
                challengeID: seed, allocationID: pick.allocationID, blobberID: pick.blobberID,
                root: pick.head.allocationRoot, seed: seed, deadline: now + self.rules.challengeTimeout)
            return try self.appendSystem(db, .issueChallenge, payload: payload, now: now)
        }
    }

    /// Times out every open challenge whose deadline has passed.
    @discardableResult
    public func expireChallenges() async throws(LedgerError) -> [TransactionReceipt] {
        try await write { db in
            let now = self.clock.now()
            let ids = try Data.fetchAll(
                db.cachedStatement(
                    sql: "SELECT id FROM challenges WHERE status = 'open' AND deadline < ? ORDER BY deadline, id"),
                arguments: [now])
            return try ids.compactMap { Hash(bytes: $0) }.map { id in
                try self.appendSystem(db, .challengeTimeout, payload: ChallengeTimeoutPayload(challengeID: id), now: now)
            }
        }
    }

    private func appendSystem(_ db: Database, _ kind: TransactionKind, payload: some Encodable, now: Int64) throws
        -> TransactionReceipt
    {
        let tx = LedgerTransaction.make(kind, payload: payload, key: key, nonce: 0, timestamp: now)
        let (hash, decoded) = try Ledger.admit(tx)
        let context = ApplyContext(now: now, rules: rules, ledgerKey: key.publicKey, preverifiedOwner: nil)
        return try LedgerLog.append(db, tx: tx, hash: hash, payload: decoded, context: context)
    }

    // MARK: plumbing

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(LedgerError) -> T {
        do {
            return try await database.writer.write(body)
        } catch {
            throw Ledger.map(error)
        }
    }

    private func writeSync<T>(_ body: (Database) throws -> T) throws(LedgerError) -> T {
        do {
            return try database.writer.write(body)
        } catch {
            throw Ledger.map(error)
        }
    }

    static func map(_ error: any Error) -> LedgerError {
        switch error {
        case let error as LedgerError: error
        case let error as TransactionError: .transaction(error)
        default: .storage("\(error)")
        }
    }
}
