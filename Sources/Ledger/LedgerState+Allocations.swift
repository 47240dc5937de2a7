import Merkle
import StorageProtocol

extension LedgerState {
    /// `update_allocation` (docs/PROTOCOL.md section 7.2, "Changing an allocation"): the owner tops up the
    /// write pool, extends the expiry, resizes, replaces a blobber or adds one; then the pool must still
    /// cover every member filling its whole shard. Any refusal leaves everything as it was (the caller
    /// rolls the database transaction back).
    mutating func updateAllocation(_ tx: LedgerTransaction, _ payload: UpdateAllocationPayload) throws
        -> TransactionResult
    {
        var allocation = try liveOwnedAllocation(payload.allocationID, sender: tx)
        guard payload.expiry != nil || payload.size != nil || payload.addBlobber != nil || payload.replace != nil
            || payload.writePool != nil
        else { throw LedgerError.invalidTerms(reason: "update_allocation changes nothing") }
        var members = try store.allocationBlobbers(of: allocation.id)

        if let units = payload.writePool, units > 0 {
            guard units <= LedgerState.maxAmount - min(LedgerState.maxAmount, allocation.writePool) else {
                throw LedgerError.invalidTerms(reason: "write pool would exceed \(LedgerState.maxAmount)")
            }
            try store.debit(tx.sender, units)
            allocation.writePool += units
        }
        if let expiry = payload.expiry {
            guard expiry > allocation.expiry else {
                throw LedgerError.invalidTerms(reason: "expiry \(expiry) is not after the current \(allocation.expiry)")
            }
            allocation.expiry = expiry
        }
        if let size = payload.size {
            try resize(&allocation, to: size, members: members)
        }
        if let replacement = payload.replace {
            try replace(replacement, in: &allocation, members: &members)
        }
        if let id = payload.addBlobber {
            let k = allocation.dataShards
            let m = allocation.parityShards
            guard k + m < 256 else { throw LedgerError.badShards(data: k, parity: m + 1, blobbers: k + m + 1) }
            let record = try join(id, at: members.count, allocation: allocation, members: members)
            try store.save(record)
            members.append(record)
            allocation.parityShards += 1
        }
        // The pool covers every member filling its whole shard, less what each was already paid.
        var needed: UInt64 = 0
        for member in members {
            let full = Token.costRoundedUp(bytes: allocation.shardSize, pricePerGiB: member.writePrice) ?? .max
            let remaining = full - min(full, member.paid)
            needed = needed.addingReportingOverflow(remaining).overflow ? .max : needed + remaining
        }
        guard allocation.writePool >= needed else {
            throw LedgerError.writePoolTooSmall(offered: allocation.writePool, needed: needed)
        }
        try store.save(allocation)
        var result = TransactionResult()
        result.allocationID = allocation.id
        return result
    }

    /// `cancel_allocation`: the owner ends a live allocation now, settled as `finalize_allocation` settles
    /// an expired one; the expiry becomes now.
    mutating func cancelAllocation(_ tx: LedgerTransaction, _ payload: CancelAllocationPayload) throws
        -> TransactionResult
    {
        var allocation = try liveOwnedAllocation(payload.allocationID, sender: tx)
        allocation.expiry = min(allocation.expiry, context.now)
        return try settle(&allocation)
    }

    /// `revoke_ticket`: the owner of a live allocation records a share ticket's hash as revoked. Moves
    /// no money. Revoking a ticket twice is `ledger.ticket_revoked`.
    mutating func revokeTicket(_ tx: LedgerTransaction, _ payload: RevokeTicketPayload) throws -> TransactionResult {
        let allocation = try liveOwnedAllocation(payload.allocationID, sender: tx)
        guard try !store.isRevoked(allocation.id, ticket: payload.ticketHash) else {
            throw LedgerError.ticketRevoked(payload.ticketHash)
        }
        try store.insertRevocation(allocation.id, ticket: payload.ticketHash)
        var result = TransactionResult()
        result.allocationID = allocation.id
        return result
    }

    /// The allocation, when it exists, is the sender's, and is neither finalized nor expired.
    private func liveOwnedAllocation(_ id: AllocationID, sender tx: LedgerTransaction) throws -> AllocationRecord {
        guard let allocation = try store.allocation(id) else { throw LedgerError.unknownAllocation(id) }
        guard allocation.ownerKey == tx.publicKey else { throw LedgerError.notOwner(sender: tx.sender, allocation: id) }
        guard !allocation.finalized else { throw LedgerError.allocationFinalized(id) }
        guard context.now <= allocation.expiry else {
            throw LedgerError.allocationExpired(id, expiry: allocation.expiry)
        }
        return allocation
    }

    /// A new size: every member reserves (or releases) the difference in shard size; a shard size below
    /// what a member already stores is refused.
    private mutating func resize(
        _ allocation: inout AllocationRecord, to size: UInt64, members: [AllocationBlobberRecord]
    ) throws {
        guard size > 0, size <= LedgerState.maxAmount else {
            throw LedgerError.invalidTerms(reason: "size must be 1...\(LedgerState.maxAmount) bytes")
        }
        // size ≤ 2^63 − 1 and data_shards ≤ 256: the sum cannot overflow.
        let k = UInt64(allocation.dataShards)
        let shardSize = (size + k - 1) / k
        let stored = members.map(\.head.chainSize).max() ?? 0
        guard shardSize >= stored else { throw LedgerError.sizeBelowStored(size: size, shardSize: shardSize, stored: stored) }
        for member in members {
            guard var blobber = try store.blobber(member.blobberID) else {
                throw LedgerError.unknownBlobber(member.blobberID)
            }
            let reserved = blobber.used - min(blobber.used, allocation.shardSize)
            let free = blobber.capacity - min(blobber.capacity, reserved)
            guard free >= shardSize else {
                throw LedgerError.insufficientCapacity(blobber: blobber.id, free: free, needed: shardSize)
            }
            blobber.used = reserved + shardSize
            try store.save(blobber)
        }
        allocation.size = size
        allocation.shardSize = shardSize
    }

    /// `to` takes `from`'s shard index and starts empty; `from`'s capacity is released and its challenge
    /// pool (not yet earned) returns to the write pool. Markers `from` signed stay in the log.
    private mutating func replace(
        _ replacement: BlobberReplacement, in allocation: inout AllocationRecord,
        members: inout [AllocationBlobberRecord]
    ) throws {
        guard let index = members.firstIndex(where: { $0.blobberID == replacement.from }) else {
            throw LedgerError.notInAllocation(replacement.from, allocation: allocation.id)
        }
        let leaving = members[index]
        let record = try join(replacement.to, at: leaving.shardIndex, allocation: allocation, members: members)
        if var blobber = try store.blobber(leaving.blobberID) {
            blobber.used -= min(blobber.used, allocation.shardSize)
            try store.save(blobber)
        }
        // The pool's units came out of the write pool and are at most what it ever held: no overflow.
        allocation.writePool += leaving.challengePool
        try store.delete(leaving)
        try store.save(record)
        members[index] = record
    }

    /// The membership record of blobber `id` joining at `shardIndex` with an empty shard, its capacity
    /// reserved (saved) and its current write price recorded. Not saved itself.
    private mutating func join(
        _ id: BlobberID, at shardIndex: Int, allocation: AllocationRecord, members: [AllocationBlobberRecord]
    ) throws -> AllocationBlobberRecord {
        guard !members.contains(where: { $0.blobberID == id }) else { throw LedgerError.duplicateBlobber(id) }
        // A former member keeps its accepted markers in the log; joining again would restart its chain
        // at sequences it already used.
        guard try !store.hasMarkers(allocation.id, id) else { throw LedgerError.duplicateBlobber(id) }
        guard var blobber = try store.blobber(id) else { throw LedgerError.unknownBlobber(id) }
        let free = blobber.capacity - min(blobber.capacity, blobber.used)
        guard free >= allocation.shardSize else {
            throw LedgerError.insufficientCapacity(blobber: id, free: free, needed: allocation.shardSize)
        }
        blobber.used += allocation.shardSize
        try store.save(blobber)
        let record = AllocationBlobberRecord(
            allocationID: allocation.id, blobberID: id, shardIndex: shardIndex, writePrice: blobber.writePrice,
            head: .genesis, highWater: 0, paid: 0, challengePool: 0)
        return record
    }
}
