import Dispatch
import Foundation
import GRDB
public import Merkle
import StorageProtocol
import Synchronization

/// What `ledger verify` checked.
public struct VerifySummary: Sendable, Codable {
    public var blocks: UInt64
    public var transactions: Int
    public var markers: Int
    /// Transactions in the open (not yet sealed) block, replayed too.
    public var openTransactions: Int
    public var seconds: Double
    /// The replayed state's supply, checked conserved (`minted` = balances + pools + stakes).
    public var supply: SupplyTotals

    enum CodingKeys: String, CodingKey {
        case blocks, transactions, markers, seconds, supply
        case openTransactions = "open_transactions"
    }
}

/// The first inconsistency `ledger verify` found: where, and what.
public struct VerifyFailure: Error, CustomStringConvertible, Sendable {
    public var block: UInt64?
    public var transaction: Hash?
    public var table: String?
    public var row: String?
    public var reason: String

    public var description: String {
        var place = [String]()
        if let block { place.append("block \(block)") }
        if let transaction { place.append("transaction \(transaction)") }
        if let table { place.append("table \(table)") }
        if let row { place.append("row \(row)") }
        return (place.isEmpty ? "" : place.joined(separator: ", ") + ": ") + reason
    }
}

/// Replays the whole log from genesis into a fresh in-memory state with the same transition code as
/// `serve`, re-checking every block hash and signature, transaction hash and signature, marker,
/// payment, effects digest and state root, then compares the replayed state tables with the live ones.
public enum LedgerVerifier {
    public static func verify(_ live: LedgerDatabase) throws -> VerifySummary {
        let started = ContinuousClock.now
        let replay = try LedgerDatabase()
        return try live.writer.read { db in
            var run = try Replay(live: db, replay: replay)
            try run.verifyGenesis()
            try run.replayBlocks()
            try compareTables(live: db, replay: replay)
            let supply = try LedgerInspector.supplyTotals(db)
            try checkConserved(supply)
            let elapsed = ContinuousClock.now - started
            let (whole, fraction) = elapsed.components
            return VerifySummary(
                blocks: run.sealedHeight, transactions: run.transactionCount, markers: run.markerCount,
                openTransactions: run.openCount, seconds: Double(whole) + Double(fraction) / 1e18, supply: supply)
        }
    }

    /// Every unit minted is held somewhere, exactly once (sums overflow-checked: a forged database must not
    /// trap the verifier).
    static func checkConserved(_ supply: SupplyTotals) throws {
        var held: UInt64 = 0
        for part in [supply.balances, supply.writePools, supply.challengePools, supply.stakes] {
            let (sum, overflow) = held.addingReportingOverflow(part)
            guard !overflow else { throw VerifyFailure(table: "supply", reason: "the holdings overflow 64 bits") }
            held = sum
        }
        guard held == supply.minted else {
            throw VerifyFailure(
                table: "supply",
                reason: "supply not conserved: minted \(supply.minted), held \(held) (balances \(supply.balances) + write pools \(supply.writePools) + challenge pools \(supply.challengePools) + stakes \(supply.stakes))")
        }
    }

    /// Compares every state table row by row; the first difference names the table and the row.
    static func compareTables(live: Database, replay: LedgerDatabase) throws {
        try replay.writer.read { replayDB in
            for table in LedgerDatabase.stateTables {
                let sql = "SELECT * FROM \(table.name) ORDER BY \(table.order)"
                let liveRows = try Row.fetchCursor(live, sql: sql)
                let replayRows = try Row.fetchCursor(replayDB, sql: sql)
                while true {
                    let liveRow = try liveRows.next()
                    let replayRow = try replayRows.next()
                    if liveRow == nil && replayRow == nil { break }
                    guard let liveRow, let replayRow else {
                        let extra = liveRow.map { "live has \(LedgerInspector.describe($0))" }
                            ?? replayRow.map { "replay has \(LedgerInspector.describe($0))" } ?? ""
                        throw VerifyFailure(table: table.name, row: nil, reason: "row counts differ: \(extra)")
                    }
                    if liveRow != replayRow {
                        throw VerifyFailure(
                            table: table.name, row: LedgerInspector.describe(liveRow),
                            reason: "differs from the replayed row \(LedgerInspector.describe(replayRow))")
                    }
                }
            }
        }
    }
}

/// One replay in progress.
private struct Replay {
    let live: Database
    let replay: LedgerDatabase
    let genesis: GenesisRecord
    var sealedHeight: UInt64 = 0
    var transactionCount = 0
    var markerCount = 0
    var openCount = 0
    /// Allocation owners seen so far, to check marker signatures ahead of the serial replay.
    var owners = [AllocationID: PublicKey]()

    init(live: Database, replay: LedgerDatabase) throws {
        self.live = live
        self.replay = replay
        guard let genesis = try LedgerLog.genesis(live) else {
            throw VerifyFailure(block: 0, reason: "no genesis record")
        }
        self.genesis = genesis
    }

    func verifyGenesis() throws {
        guard let block = try LedgerLog.block(live, height: 0) else { throw VerifyFailure(block: 0, reason: "missing") }
        let stateRoot = Block.genesisStateRoot(ledgerKey: genesis.publicKey, rules: genesis.rules)
        guard block.stateRoot == stateRoot, block.previousHash == .zero, block.txRoot == Block.txRoot([]),
            block.txCount == 0
        else { throw VerifyFailure(block: 0, reason: "genesis block does not commit to the genesis record") }
        try checkSealed(block)
        try replay.writer.write { db in
            try db.execute(
                sql: "INSERT INTO ledger_meta (key, value) VALUES ('genesis', ?)",
                arguments: [TransactionCoding.encodeText(genesis)])
            try LedgerLog.insert(block, db)
        }
    }

    func checkSealed(_ block: Block) throws {
        guard block.computedHash == block.hash else {
            throw VerifyFailure(block: block.height, reason: "block hash \(block.hash) does not match its fields")
        }
        guard genesis.publicKey.isValidSignature(block.signature, over: block.hash) else {
            throw VerifyFailure(block: block.height, reason: "block signature does not verify with the ledger key")
        }
    }

    mutating func replayBlocks() throws {
        let latest = try LedgerLog.latestBlock(live)?.height ?? 0
        let cursor = try Row.fetchCursor(live, sql: "SELECT * FROM transactions ORDER BY seq")
        var pending: StoredTransaction? = nil
        var previousSeq: Int64 = 0
        for height in 1...(latest + 1) {
            var batch = [StoredTransaction]()
            if let carried = pending, carried.block == height {
                batch.append(carried)
                pending = nil
            }
            while pending == nil, let row = try cursor.next() {
                let seq: Int64 = row["seq"]
                let stored = try StoredTransaction(row: row)
                guard seq > previousSeq, stored.block >= height else {
                    throw VerifyFailure(
                        block: stored.block, transaction: stored.storedHash, reason: "out of log order (seq \(seq))")
                }
                previousSeq = seq
                if stored.block == height {
                    batch.append(stored)
                } else {
                    pending = stored
                }
            }
            if height <= latest {
                try replay(block: height, batch)
                guard let block = try LedgerLog.block(live, height: height) else {
                    throw VerifyFailure(block: height, reason: "missing block")
                }
                try seal(block)
                sealedHeight = height
            } else {
                try replay(block: height, batch)
                openCount = batch.count
            }
        }
        if let pending {
            throw VerifyFailure(
                block: pending.block, transaction: pending.storedHash, reason: "belongs to a block after the open one")
        }
    }

    /// Checks every transaction of a block (hashes, signatures, markers on both cores), then applies
    /// them in order through the same transition code as `serve`.
    private mutating func replay(block height: UInt64, _ batch: [StoredTransaction]) throws {
        guard !batch.isEmpty else { return }
        var prepared = [(StoredTransaction, DecodedPayload, PublicKey?)]()
        prepared.reserveCapacity(batch.count)
        for stored in batch {
            let tx = stored.transaction
            guard tx.hash == stored.storedHash else {
                throw VerifyFailure(
                    block: height, transaction: stored.storedHash,
                    reason: "the stored fields hash to \(tx.hash): the transaction row was altered")
            }
            let payload: DecodedPayload
            do {
                try tx.verifySignature()
                payload = try DecodedPayload(decoding: tx)
            } catch {
                throw VerifyFailure(block: height, transaction: stored.storedHash, reason: error.description)
            }
            guard tx.timestamp.isWithin(genesis.rules.timestampWindow, of: stored.appliedAt) else {
                throw VerifyFailure(
                    block: height, transaction: stored.storedHash, reason: "timestamp outside the window of applied_at")
            }
            var verifiedOwner: PublicKey? = nil
            switch payload {
            case .createAllocation:
                owners[AllocationID(stored.storedHash)] = tx.publicKey
            case .submitChain(let chain):
                markerCount += chain.markers.count
                if let owner = owners[chain.allocationID], MarkerSignatures.allValid(chain.markers, owner: owner) {
                    verifiedOwner = owner
                }
            default: break
            }
            prepared.append((stored, payload, verifiedOwner))
        }
        let rules = genesis.rules
        let ledgerKey = genesis.publicKey
        try replay.writer.write { db in
            for (stored, payload, verifiedOwner) in prepared {
                let context = ApplyContext(
                    now: stored.appliedAt, rules: rules, ledgerKey: ledgerKey, preverifiedOwner: verifiedOwner)
                let receipt: TransactionReceipt
                do {
                    receipt = try LedgerLog.append(
                        db, tx: stored.transaction, hash: stored.storedHash, payload: payload, context: context)
                } catch {
                    throw VerifyFailure(
                        block: height, transaction: stored.storedHash,
                        reason: "refused on replay: \(Ledger.map(error).code): \(Ledger.map(error).description)")
                }
                guard receipt.status == .applied, receipt.block == height else {
                    throw VerifyFailure(
                        block: height, transaction: stored.storedHash, reason: "recorded twice in the log")
                }
                let replayed = try Row.fetchOne(
                    db, sql: "SELECT effects_digest, result FROM transactions WHERE hash = ?",
                    arguments: [stored.storedHash.blob])
                guard let replayed, replayed.hash("effects_digest") == stored.effectsDigest else {
                    throw VerifyFailure(
                        block: height, transaction: stored.storedHash,
                        reason: "effects digest differs: recorded \(stored.effectsDigest), replayed \(replayed?.hash("effects_digest") ?? .zero)")
                }
                guard (replayed["result"] as String) == stored.resultText else {
                    throw VerifyFailure(
                        block: height, transaction: stored.storedHash,
                        reason: "result differs: recorded \(stored.resultText), replayed \(replayed["result"] as String)")
                }
            }
        }
        transactionCount += batch.count
    }

    /// Recomputes the sealed block from the replayed transactions and compares it with the stored one.
    private func seal(_ block: Block) throws {
        try checkSealed(block)
        try replay.writer.write { db in
            guard let pending = try LedgerLog.pendingBlock(db, now: block.timestamp, allowEmpty: true) else {
                throw VerifyFailure(block: block.height, reason: "cannot recompute")
            }
            func mismatch(_ what: String) -> VerifyFailure {
                VerifyFailure(block: block.height, reason: "\(what) differs from the replayed one")
            }
            guard pending.height == block.height else { throw mismatch("height") }
            guard pending.previousHash == block.previousHash else { throw mismatch("previous hash") }
            guard pending.txCount == block.txCount else { throw mismatch("transaction count") }
            guard pending.txRoot == block.txRoot else { throw mismatch("transaction root") }
            guard pending.stateRoot == block.stateRoot else { throw mismatch("state root") }
            guard pending.timestamp == block.timestamp else { throw mismatch("timestamp") }
            try LedgerLog.insert(block, db)
        }
    }
}
