import GRDB
import Merkle
import StorageProtocol

/// What a transition needs besides the state: the ledger clock and rules. `serve` and `verify`
/// build the same context from the same recorded values, so a replay takes the same decisions.
struct ApplyContext: Sendable {
    /// The ledger's clock when the transaction was applied (recorded as `applied_at`).
    var now: Int64
    var rules: LedgerRules
    var ledgerKey: PublicKey
    /// An owner key whose signatures over this transaction's markers were already checked (replay
    /// checks them on every core first); the transition still checks that it is the allocation's owner.
    var preverifiedOwner: PublicKey?
}

/// The state transition function: applies one admitted transaction to the state tables inside the
/// caller's database transaction, or throws and lets the caller roll everything back. The one
/// implementation used by `serve` and by `verify`'s replay.
struct LedgerState {
    var store: StateStore
    let context: ApplyContext

    init(db: Database, context: ApplyContext) {
        store = StateStore(db: db, appliedAt: context.now)
        self.context = context
    }

    static let maxAmount = UInt64(Int64.max)

    mutating func apply(_ tx: LedgerTransaction, hash: Hash, payload: DecodedPayload) throws -> TransactionResult {
        if tx.kind.isSystem, tx.publicKey != context.ledgerKey { throw LedgerError.systemOnly(tx.kind) }
        switch payload {
        case .faucet(let payload): return try faucet(tx, payload)
        case .registerBlobber(let payload): return try registerBlobber(tx, payload)
        case .updateBlobber(let payload): return try updateBlobber(tx, payload)
        case .createAllocation(let payload): return try createAllocation(tx, hash: hash, payload)
        case .submitChain(let payload): return try submitChain(tx, payload)
        case .challengeResponse(let payload): return try challengeResponse(tx, payload)
        case .finalizeAllocation(let payload): return try finalizeAllocation(payload)
        case .updateAllocation(let payload): return try updateAllocation(tx, payload)
        case .cancelAllocation(let payload): return try cancelAllocation(tx, payload)
        case .revokeTicket(let payload): return try revokeTicket(tx, payload)
        case .peg(let payload): return try peg(payload)
        case .issueChallenge(let payload): return try issueChallenge(tx, payload)
        case .challengeTimeout(let payload): return try challengeTimeout(payload)
        }
    }

    // MARK: accounts

    private mutating func faucet(_ tx: LedgerTransaction, _ payload: FaucetPayload) throws -> TransactionResult {
        guard context.rules.faucet else { throw LedgerError.faucetDisabled }
        guard payload.amount <= context.rules.faucetMax else {
            throw LedgerError.faucetLimit(amount: payload.amount, limit: context.rules.faucetMax)
        }
        let minted = try store.minted()
        guard payload.amount <= LedgerState.maxAmount - minted else { throw LedgerError.supplyOverflow }
        try store.setMinted(minted + payload.amount)
        try store.credit(tx.sender, payload.amount)
        var result = TransactionResult()
        result.balance = try store.balance(of: tx.sender)
        return result
    }

    // MARK: pegs

    /// `peg`: records nothing but the transaction itself (the log is the record; `GET /v1/transactions/{txid}`
    /// shows it). Moves no money and writes no state row, so the supply is conserved trivially; a uri out
    /// of 1...2048 bytes is `ledger.invalid_peg`.
    private func peg(_ payload: PegPayload) throws -> TransactionResult {
        if let problem = payload.problem() { throw LedgerError.invalidPeg(reason: problem) }
        return TransactionResult()
    }

    // MARK: blobbers

    private static func checkTerms(url: String?, region: String?, numbers: [UInt64?]) throws {
        if let url, url.isEmpty || url.utf8.count > 2048 {
            throw LedgerError.invalidTerms(reason: "url must be 1...2048 bytes")
        }
        if let region, region.utf8.count > 256 { throw LedgerError.invalidTerms(reason: "region is over 256 bytes") }
        for case let number? in numbers where number > maxAmount {
            throw LedgerError.invalidTerms(reason: "\(number) exceeds \(maxAmount)")
        }
    }

    private mutating func registerBlobber(_ tx: LedgerTransaction, _ payload: RegisterBlobberPayload) throws
        -> TransactionResult
    {
        let id = tx.publicKey.blobberID
        try LedgerState.checkTerms(
            url: payload.url, region: payload.region,
            numbers: [payload.capacity, payload.readPrice, payload.writePrice, payload.stake])
        guard payload.capacity > 0 else { throw LedgerError.invalidTerms(reason: "capacity must be positive") }
        guard try store.blobber(id) == nil else { throw LedgerError.alreadyRegistered(id) }
        try store.debit(tx.sender, payload.stake)
        try store.save(
            BlobberRecord(
                id: id, publicKey: tx.publicKey, url: payload.url, capacity: payload.capacity, used: 0,
                readPrice: payload.readPrice, writePrice: payload.writePrice, region: payload.region,
                stake: payload.stake, registeredAt: context.now))
        var result = TransactionResult()
        result.blobberID = id
        return result
    }

    private mutating func updateBlobber(_ tx: LedgerTransaction, _ payload: UpdateBlobberPayload) throws
        -> TransactionResult
    {
        let id = tx.publicKey.blobberID
        guard var blobber = try store.blobber(id) else { throw LedgerError.unknownBlobber(id) }
        try LedgerState.checkTerms(
            url: payload.url, region: payload.region,
            numbers: [payload.capacity, payload.readPrice, payload.writePrice, payload.stake])
        if let capacity = payload.capacity {
            guard capacity >= blobber.used else {
                throw LedgerError.invalidTerms(reason: "capacity \(capacity) is below the \(blobber.used) bytes in use")
            }
            blobber.capacity = capacity
        }
        if let url = payload.url { blobber.url = url }
        if let region = payload.region { blobber.region = region }
        if let price = payload.readPrice { blobber.readPrice = price }
        if let price = payload.writePrice { blobber.writePrice = price }
        if let stake = payload.stake, stake > 0 {
            try store.debit(tx.sender, stake)
            blobber.stake += stake
        }
        try store.save(blobber)
        var result = TransactionResult()
        result.blobberID = id
        return result
    }

    // MARK: allocations

    private mutating func createAllocation(_ tx: LedgerTransaction, hash: Hash, _ payload: CreateAllocationPayload)
        throws -> TransactionResult
    {
        let k = payload.dataShards
        let m = payload.parityShards
        // Each bounded before the sum: `k + m` of two numbers off the wire would trap on Int.max.
        guard (1...256).contains(k), (0...255).contains(m), k + m <= 256, payload.blobbers.count == k + m else {
            throw LedgerError.badShards(data: k, parity: m, blobbers: payload.blobbers.count)
        }
        guard payload.size > 0, payload.size <= LedgerState.maxAmount else {
            throw LedgerError.invalidTerms(reason: "size must be 1...\(LedgerState.maxAmount) bytes")
        }
        guard payload.expiry > context.now else {
            throw LedgerError.expiryInPast(expiry: payload.expiry, now: context.now)
        }
        var seen = Set<BlobberID>()
        for id in payload.blobbers where !seen.insert(id).inserted { throw LedgerError.duplicateBlobber(id) }
        let shardSize = payload.shardSize
        var blobbers = [BlobberRecord]()
        var priceSum: UInt64 = 0
        for id in payload.blobbers {
            guard let blobber = try store.blobber(id) else { throw LedgerError.unknownBlobber(id) }
            let free = blobber.capacity - blobber.used
            guard free >= shardSize else {
                throw LedgerError.insufficientCapacity(blobber: id, free: free, needed: shardSize)
            }
            priceSum = priceSum.addingReportingOverflow(blobber.writePrice).overflow ? .max : priceSum + blobber.writePrice
            blobbers.append(blobber)
        }
        let needed = Token.costRoundedUp(bytes: shardSize, pricePerGiB: priceSum) ?? .max
        guard payload.writePool >= needed else {
            throw LedgerError.writePoolTooSmall(offered: payload.writePool, needed: needed)
        }
        try store.debit(tx.sender, payload.writePool)
        let id = AllocationID(hash)
        try store.save(
            AllocationRecord(
                id: id, ownerID: tx.publicKey.clientID, ownerKey: tx.publicKey, dataShards: k, parityShards: m,
                size: payload.size, shardSize: shardSize, createdAt: tx.timestamp, expiry: payload.expiry,
                writePool: payload.writePool, finalized: false))
        for (index, var blobber) in blobbers.enumerated() {
            blobber.used += shardSize
            try store.save(blobber)
            try store.save(
                AllocationBlobberRecord(
                    allocationID: id, blobberID: blobber.id, shardIndex: index, writePrice: blobber.writePrice,
                    head: .genesis, highWater: 0, paid: 0, challengePool: 0))
        }
        var result = TransactionResult()
        result.allocationID = id
        return result
    }

    private mutating func finalizeAllocation(_ payload: FinalizeAllocationPayload) throws -> TransactionResult {
        guard var allocation = try store.allocation(payload.allocationID) else {
            throw LedgerError.unknownAllocation(payload.allocationID)
        }
        guard !allocation.finalized else { throw LedgerError.allocationFinalized(allocation.id) }
        guard context.now > allocation.expiry else {
            throw LedgerError.allocationNotExpired(allocation.id, expiry: allocation.expiry)
        }
        return try settle(&allocation)
    }

    /// Ends `allocation`: the write pool returns to the owner, every challenge pool is paid to its blobber,
    /// the blobbers' reserved capacity is released, the allocation is marked finalized.
    mutating func settle(_ allocation: inout AllocationRecord) throws -> TransactionResult {
        let refund = allocation.writePool
        try store.credit(allocation.ownerID.hash, refund)
        var paidOut: UInt64 = 0
        for var record in try store.allocationBlobbers(of: allocation.id) {
            if var blobber = try store.blobber(record.blobberID) {
                blobber.used -= min(blobber.used, allocation.shardSize)
                try store.save(blobber)
            }
            if record.challengePool > 0 {
                try store.credit(record.blobberID.hash, record.challengePool)
                paidOut += record.challengePool
                record.challengePool = 0
                try store.save(record)
            }
        }
        allocation.writePool = 0
        allocation.finalized = true
        try store.save(allocation)
        var result = TransactionResult()
        result.allocationID = allocation.id
        result.refunded = refund
        result.paid = paidOut
        return result
    }
}
