import Foundation
public import GRDB
public import Merkle
public import StorageProtocol


/// Where every unit minted is now: the supply is conserved when `minted == held`.
public struct SupplyTotals: Hashable, Sendable, Codable {
    public var minted: UInt64
    public var balances: UInt64
    public var writePools: UInt64
    public var challengePools: UInt64
    public var stakes: UInt64
    public var held: UInt64 { balances + writePools + challengePools + stakes }

    enum CodingKeys: String, CodingKey {
        case minted, balances, stakes
        case writePools = "write_pools"
        case challengePools = "challenge_pools"
    }
}

/// A page of `GET /v1/allocations`.
public struct AllocationPage: Hashable, Sendable, Codable {
    /// The most one page holds (a larger `limit` is clamped to it).
    public static let maxLimit = 1000
    public static let defaultLimit = 100
    public var allocations: [AllocationRecord]
    public var next: AllocationID?
}

/// `GET /v1/ledger`: what a third party needs to check blocks (the key that signs them) and to know the
/// rules every transaction was judged by.
public struct LedgerInfo: Hashable, Sendable, Codable {
    public var publicKey: PublicKey
    public var genesis: GenesisRecord
    public var height: UInt64

    enum CodingKeys: String, CodingKey {
        case genesis, height
        case publicKey = "public_key"
    }
}

/// Read-only queries over a ledger database, shared by `Ledger` (serve) and `LedgerReader` (show).
public protocol LedgerQueries: Sendable {
    var database: LedgerDatabase { get }
}

/// Queries without the ledger's key, for tools such as `ledger show`.
public struct LedgerReader: LedgerQueries {
    public let database: LedgerDatabase
    public init(database: LedgerDatabase) { self.database = database }
}

extension Ledger: LedgerQueries {}

extension LedgerQueries {
    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(LedgerError) -> T {
        do {
            return try await database.writer.read(body)
        } catch {
            throw Ledger.map(error)
        }
    }

    public func account(_ id: Hash) async throws(LedgerError) -> AccountView {
        try await read { db in
            guard
                let balance = try Int64.fetchOne(
                    db, sql: "SELECT balance FROM accounts WHERE id = ?", arguments: [id.blob])
            else { throw LedgerError.unknownAccount(id) }
            return AccountView(id: id, balance: UInt64(balance))
        }
    }

    public func accounts() async throws(LedgerError) -> [AccountView] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT id, balance FROM accounts ORDER BY id").map {
                AccountView(id: $0.hash("id"), balance: $0.units("balance"))
            }
        }
    }

    /// The balance of `id` (0 when the account does not exist).
    public func balance(of id: Hash) async throws(LedgerError) -> UInt64 {
        try await read { db in try StateStore(db: db).balance(of: id) }
    }

    public func blobbers() async throws(LedgerError) -> [BlobberRecord] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM blobbers ORDER BY id").map(BlobberRecord.init(row:)) }
    }

    public func blobber(_ id: BlobberID) async throws(LedgerError) -> BlobberRecord {
        try await read { db in
            guard let blobber = try StateStore(db: db).blobber(id) else { throw LedgerError.unknownBlobber(id) }
            return blobber
        }
    }

    public func allocation(_ id: AllocationID) async throws(LedgerError) -> AllocationView {
        try await read { db in
            let store = StateStore(db: db)
            guard let allocation = try store.allocation(id) else { throw LedgerError.unknownAllocation(id) }
            return AllocationView(allocation: allocation, blobbers: try store.allocationBlobbers(of: id))
        }
    }

    /// The hashes of the allocation's revoked share tickets, in hash order.
    public func revokedTickets(of id: AllocationID) async throws(LedgerError) -> RevokedTickets {
        try await read { db in
            let store = StateStore(db: db)
            guard try store.allocation(id) != nil else { throw LedgerError.unknownAllocation(id) }
            return RevokedTickets(allocationID: id, revoked: try store.revokedTickets(of: id))
        }
    }

    public func allocations() async throws(LedgerError) -> [AllocationRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM allocations ORDER BY id").map(AllocationRecord.init(row:))
        }
    }

    /// Challenges, optionally only those of `blobber` and/or with `status`, oldest first.
    public func challenges(blobber: BlobberID? = nil, status: ChallengeRecord.Status? = nil) async throws(LedgerError)
        -> [ChallengeRecord]
    {
        try await read { db in
            var sql = "SELECT * FROM challenges WHERE 1 = 1"
            var arguments = StatementArguments()
            if let blobber {
                sql += " AND blobber_id = ?"
                arguments += [blobber.hash.blob]
            }
            if let status {
                sql += " AND status = ?"
                arguments += [status.rawValue]
            }
            sql += " ORDER BY issued_at, id"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(ChallengeRecord.init(row:))
        }
    }

    public func transaction(_ hash: Hash) async throws(LedgerError) -> TransactionView {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM transactions WHERE hash = ?", arguments: [hash.blob]),
                let receipt = try LedgerLog.receipt(db, hash: hash)
            else { throw LedgerError.unknownTransaction(hash) }
            return TransactionView(transaction: try StoredTransaction(row: row).transaction, receipt: receipt, appliedAt: row["applied_at"])
        }
    }

    public func block(height: UInt64) async throws(LedgerError) -> Block {
        try await read { db in
            guard let block = try LedgerLog.block(db, height: height) else { throw LedgerError.unknownBlock(height) }
            return block
        }
    }

    public func latestBlock() async throws(LedgerError) -> Block {
        try await read { db in
            guard let block = try LedgerLog.latestBlock(db) else { throw LedgerError.storage("no genesis block") }
            return block
        }
    }

    public func recentBlocks(limit: Int) async throws(LedgerError) -> [Block] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM blocks ORDER BY height DESC LIMIT ?", arguments: [limit])
                .map(Block.init(row:))
        }
    }

    /// The transactions of block `height` in log order (the order its `tx_root` commits to), the first
    /// `limit` of them. A height not sealed yet is `ledger.unknown_block`.
    public func transactions(inBlock height: UInt64, limit: Int = .max) async throws(LedgerError) -> [TransactionView] {
        try await read { db in
            guard try LedgerLog.block(db, height: height) != nil, let stored = Int64(exactly: height) else {
                throw LedgerError.unknownBlock(height)
            }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM transactions WHERE block = ? ORDER BY seq LIMIT ?",
                arguments: [stored, Int64(max(0, limit))]
            ).map { row in
                let transaction = try StoredTransaction(row: row).transaction
                guard let receipt = try LedgerLog.receipt(db, hash: row.hash("hash")) else {
                    throw LedgerError.storage("transaction \(row.hash("hash").hex) has no receipt")
                }
                return TransactionView(transaction: transaction, receipt: receipt, appliedAt: row["applied_at"])
            }
        }
    }

    /// One page of allocations in id order, optionally only `owner`'s, starting after `after`; `next` is
    /// the id to pass as `after` for the following page (nil on the last one).
    public func allocations(owner: ClientID?, after: AllocationID?, limit: Int) async throws(LedgerError)
        -> AllocationPage
    {
        let limit = max(1, min(limit, AllocationPage.maxLimit))
        return try await read { db in
            var sql = "SELECT * FROM allocations WHERE 1 = 1"
            var arguments = StatementArguments()
            if let owner {
                sql += " AND owner_id = ?"
                arguments += [owner.hash.blob]
            }
            if let after {
                sql += " AND id > ?"
                arguments += [after.hash.blob]
            }
            sql += " ORDER BY id LIMIT ?"
            arguments += [limit + 1]
            var records = try Row.fetchAll(db, sql: sql, arguments: arguments).map(AllocationRecord.init(row:))
            var next: AllocationID? = nil
            if records.count > limit {
                records.removeLast()
                next = records.last?.id
            }
            return AllocationPage(allocations: records, next: next)
        }
    }

    /// The ledger's public key and the rules it was started with (genesis), and the latest height.
    public func info() async throws(LedgerError) -> LedgerInfo {
        try await read { db in
            guard let genesis = try LedgerLog.genesis(db), let latest = try LedgerLog.latestBlock(db) else {
                throw LedgerError.storage("no genesis")
            }
            return LedgerInfo(publicKey: genesis.publicKey, genesis: genesis, height: latest.height)
        }
    }

    public func supplyTotals() async throws(LedgerError) -> SupplyTotals {
        try await read { db in try LedgerInspector.supplyTotals(db) }
    }

    /// Every state table's rows, for comparing two states.
    public func stateDump() async throws(LedgerError) -> [String: [String]] {
        try await read { db in try LedgerInspector.dump(db) }
    }
}

/// Whole-database views shared by queries, `show` and `verify`.
public enum LedgerInspector {
    public static func supplyTotals(_ db: Database) throws -> SupplyTotals {
        func sum(_ sql: String) throws -> UInt64 {
            let total = try Int64.fetchOne(db, sql: sql) ?? 0
            guard let total = UInt64(exactly: total) else {
                throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "a negative amount: \(sql)")
            }
            return total
        }
        return SupplyTotals(
            minted: try sum("SELECT minted FROM supply WHERE id = 0"),
            balances: try sum("SELECT COALESCE(SUM(balance), 0) FROM accounts"),
            writePools: try sum("SELECT COALESCE(SUM(write_pool), 0) FROM allocations"),
            challengePools: try sum("SELECT COALESCE(SUM(challenge_pool), 0) FROM allocation_blobbers"),
            stakes: try sum("SELECT COALESCE(SUM(stake), 0) FROM blobbers"))
    }

    /// Each state table's rows in key order, one line per row (`column=value` pairs; blobs in hex).
    public static func dump(_ db: Database) throws -> [String: [String]] {
        var out = [String: [String]]()
        for table in LedgerDatabase.stateTables {
            out[table.name] = try Row.fetchAll(db, sql: "SELECT * FROM \(table.name) ORDER BY \(table.order)")
                .map(describe)
        }
        return out
    }

    public static func describe(_ row: Row) -> String {
        row.map { column, value -> String in
            switch value.storage {
            case .blob(let data): "\(column)=\(Hex.encode(data))"
            case .null: "\(column)=NULL"
            case .int64(let int): "\(column)=\(int)"
            case .double(let double): "\(column)=\(double)"
            case .string(let string): "\(column)=\(string)"
            }
        }.joined(separator: " ")
    }
}

/// A transaction row read back into its envelope.
struct StoredTransaction {
    var transaction: LedgerTransaction
    var storedHash: Hash
    var block: UInt64
    var appliedAt: Int64
    var effectsDigest: Hash
    var resultText: String

    init(row: Row) throws {
        let kindText: String = row["kind"]
        guard let kind = TransactionKind(rawValue: kindText) else {
            throw LedgerError.transaction(.malformed(reason: "unknown kind \(kindText)"))
        }
        let keyData: Data = row["public_key"]
        let signatureData: Data = row["signature"]
        let payloadData: Data = row["payload"]
        let nonce: Int64 = row["nonce"]
        do {
            transaction = LedgerTransaction(
                kind: kind, publicKey: try PublicKey(bytes: keyData), nonce: UInt64(bitPattern: nonce),
                timestamp: row["timestamp"], payload: String(decoding: payloadData, as: UTF8.self),
                signature: try Signature(bytes: signatureData))
        } catch {
            throw LedgerError.transaction(.malformed(reason: error.description))
        }
        storedHash = row.hash("hash")
        let block: Int64 = row["block"]
        self.block = UInt64(block)
        appliedAt = row["applied_at"]
        effectsDigest = row.hash("effects_digest")
        resultText = row["result"]
    }
}
