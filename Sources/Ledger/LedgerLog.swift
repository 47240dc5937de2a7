import Foundation
import GRDB
import Merkle
import StorageProtocol

/// The append-only log: transaction rows and blocks. `append` is the one way a transaction enters
/// the log, for `serve` and for `verify`'s replay alike.
enum LedgerLog {
    /// The height of the block that new transactions join: one past the latest sealed block.
    static func openBlock(_ db: Database) throws -> UInt64 {
        let latest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(height) FROM blocks")) ?? -1
        return UInt64(latest + 1)
    }

    /// The stored receipt of transaction `hash`, if it is in the log.
    static func receipt(_ db: Database, hash: Hash, status: TransactionReceipt.Status = .applied) throws
        -> TransactionReceipt?
    {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT block, result FROM transactions WHERE hash = ?"), arguments: [hash.blob])
        else { return nil }
        let block: Int64 = row["block"]
        let resultText: String = row["result"]
        let result = try TransactionCoding.decode(
            TransactionResult.self, from: Array(resultText.utf8), what: "stored result")
        return TransactionReceipt(hash: hash, status: status, block: UInt64(block), result: result)
    }

    /// Applies an admitted transaction and records it with its effects digest and result, or throws
    /// with nothing changed (the caller's database transaction rolls back). A transaction already in
    /// the log returns its original receipt with status `duplicate`.
    static func append(
        _ db: Database, tx: LedgerTransaction, hash: Hash, payload: DecodedPayload, context: ApplyContext
    ) throws -> TransactionReceipt {
        if let existing = try receipt(db, hash: hash, status: .duplicate) { return existing }
        var state = LedgerState(db: db, context: context)
        let result = try state.apply(tx, hash: hash, payload: payload)
        let digest = state.store.effects.finalize()
        let block = try openBlock(db)
        guard let signature = tx.signature else { throw LedgerError.transaction(.missingSignature) }
        try db.cachedStatement(
            sql: """
                INSERT INTO transactions
                (hash, block, kind, public_key, nonce, timestamp, payload, signature, applied_at, effects_digest, result)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            hash.blob, Int64(block), tx.kind.rawValue, Data(tx.publicKey.bytes), Int64(bitPattern: tx.nonce),
            tx.timestamp, Data(tx.payload.utf8), Data(signature.bytes), context.now, digest.blob,
            TransactionCoding.encodeText(result),
        ])
        return TransactionReceipt(hash: hash, status: .applied, block: block, result: result)
    }

    // MARK: blocks

    static func insert(_ block: Block, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO blocks (height, hash, previous_hash, tx_root, state_root, timestamp, tx_count, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            Int64(block.height), block.hash.blob, block.previousHash.blob, block.txRoot.blob, block.stateRoot.blob,
            block.timestamp, Int64(block.txCount), Data(block.signature.bytes),
        ])
    }

    /// The block at `height`; nil for a height no block can have (SQLite's integers stop at 2^63 − 1).
    static func block(_ db: Database, height: UInt64) throws -> Block? {
        guard let stored = Int64(exactly: height) else { return nil }
        return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM blocks WHERE height = ?"), arguments: [stored])
            .map(Block.init(row:))
    }

    static func latestBlock(_ db: Database) throws -> Block? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM blocks ORDER BY height DESC LIMIT 1"))
            .map(Block.init(row:))
    }

    /// The fields of the block that would seal the open block now (everything but the signature),
    /// or nil when it holds no transaction and `allowEmpty` is false.
    static func pendingBlock(_ db: Database, now: Int64, allowEmpty: Bool) throws -> (
        height: UInt64, previousHash: Hash, txRoot: Hash, stateRoot: Hash, timestamp: Int64, txCount: UInt32
    )? {
        guard let previous = try latestBlock(db) else { throw LedgerError.storage("no genesis block") }
        let height = previous.height + 1
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT hash, effects_digest, applied_at FROM transactions WHERE block = ? ORDER BY seq"),
            arguments: [Int64(height)])
        guard !rows.isEmpty || allowEmpty else { return nil }
        var timestamp = max(now, previous.timestamp)
        for row in rows { timestamp = max(timestamp, row["applied_at"]) }
        return (
            height, previous.hash, Block.txRoot(rows.map { $0.hash("hash") }),
            Block.stateRoot(previous: previous.stateRoot, effects: rows.map { $0.hash("effects_digest") }),
            timestamp, UInt32(rows.count)
        )
    }

    static func genesis(_ db: Database) throws -> GenesisRecord? {
        guard let text = try String.fetchOne(db, sql: "SELECT value FROM ledger_meta WHERE key = 'genesis'") else {
            return nil
        }
        return try TransactionCoding.decode(GenesisRecord.self, from: Array(text.utf8), what: "genesis record")
    }
}

extension Block {
    init(row: Row) {
        let signatureBytes: Data = row["signature"]
        let height: Int64 = row["height"]
        let txCount: Int64 = row["tx_count"]
        self.init(
            height: UInt64(height), previousHash: row.hash("previous_hash"), txRoot: row.hash("tx_root"),
            stateRoot: row.hash("state_root"), timestamp: row["timestamp"], txCount: UInt32(clamping: txCount),
            hash: row.hash("hash"),
            signature: (try? Signature(bytes: signatureBytes)) ?? (try! Signature(bytes: [UInt8](repeating: 0, count: 64))))
    }
}
