public import StorageProtocol

extension AllocationService {
    /// A blobber named by the caller, or chosen by the rules of `create` (free space, price, latency,
    /// regions used least), never one already in the allocation.
    public enum BlobberChoice: Sendable, Hashable {
        case id(BlobberID)
        case auto
    }

    /// What `update` changes; nil fields stay as they are.
    public struct Change: Sendable {
        /// Milliseconds added to the current expiry.
        public var extend: Int64?
        /// The new size in bytes.
        public var size: UInt64?
        /// One more parity shard on this blobber.
        public var addBlobber: BlobberChoice?
        /// This member's shard moves to the chosen blobber, which starts empty (`blob repair` fills it).
        public var replace: (from: BlobberID, to: BlobberChoice)?

        public init(
            extend: Int64? = nil, size: UInt64? = nil, addBlobber: BlobberChoice? = nil,
            replace: (from: BlobberID, to: BlobberChoice)? = nil
        ) {
            self.extend = extend
            self.size = size
            self.addBlobber = addBlobber
            self.replace = replace
        }

        var isEmpty: Bool { extend == nil && size == nil && addBlobber == nil && replace == nil }
    }

    /// Changes the allocation by one `update_allocation` (docs/PROTOCOL.md section 7.2, "Changing an
    /// allocation"), topping its write pool up by exactly what the ledger's rule then requires: every
    /// member filling its whole shard at its write price, less what each was already paid.
    public func update(_ id: AllocationID, _ change: Change) async throws(ClientError) -> AllocationView {
        guard !change.isEmpty else {
            throw .invalidArgument("nothing to change: give --extend, --size, --add-blobber or --replace")
        }
        let view = try await ledger.allocation(id)
        let allocation = view.allocation
        guard allocation.ownerKey == owner.publicKey else { throw .notOwner(allocation: id) }
        guard allocation.dataShards >= 1 else {
            throw .invalidArgument("the ledger gives allocation \(id.short) \(allocation.dataShards) data shards")
        }
        guard !allocation.finalized else {
            throw .ledgerRefused(
                code: "ledger.allocation_finalized",
                message: "allocation \(id.short) is finalized and cannot change: create a new one with `blob alloc new`")
        }
        guard Clock.nowMillis <= allocation.expiry else {
            throw .ledgerRefused(
                code: "ledger.allocation_expired",
                message: "allocation \(id.short) expired and cannot change: create a new one with `blob alloc new`")
        }
        var payload = UpdateAllocationPayload(allocationID: id)
        if let extend = change.extend {
            guard extend > 0, case (let expiry, false) = allocation.expiry.addingReportingOverflow(extend) else {
                throw .invalidArgument("--extend must be a positive duration")
            }
            payload.expiry = expiry
        }
        var shardSize = allocation.shardSize
        if let size = change.size {
            guard size > 0, size <= UInt64(Int64.max) else { throw .invalidArgument("--size must be positive") }
            let k = UInt64(allocation.dataShards)
            shardSize = size / k + (size % k == 0 ? 0 : 1)
            payload.size = size
        }

        // Members after the change (blobber, write price, paid so far), and what returns to the write pool.
        let registered = try await ledger.blobbers()
        var members = view.blobbers.map { (id: $0.blobberID, price: $0.writePrice, paid: $0.paid) }
        var returned: UInt64 = 0
        var taken = Set(view.blobbers.map(\.blobberID))
        if let (from, to) = change.replace {
            guard let old = view.blobbers.first(where: { $0.blobberID == from }) else {
                throw .invalidArgument("blobber \(from.short) is not in allocation \(id.short)")
            }
            let remaining = view.blobbers.filter { $0.blobberID != from }.map(\.blobberID)
            let new = try await choose(
                to, shardSize: shardSize, registered: registered, taken: taken, spreadAgainst: remaining)
            taken.insert(new.id)
            members.removeAll { $0.id == from }
            members.append((new.id, new.writePrice, 0))
            returned = old.challengePool
            payload.replace = BlobberReplacement(from: from, to: new.id)
        }
        if let add = change.addBlobber {
            let new = try await choose(
                add, shardSize: shardSize, registered: registered, taken: taken, spreadAgainst: members.map(\.id))
            members.append((new.id, new.writePrice, 0))
            payload.addBlobber = new.id
        }
        var required: UInt64 = 0
        for member in members {
            guard let cost = Token.costRoundedUp(bytes: shardSize, pricePerGiB: member.price),
                case (let sum, false) = required.addingReportingOverflow(cost - min(member.paid, cost))
            else { throw .invalidArgument("the write pool for this size does not fit 64 bits") }
            required = sum
        }
        let available = allocation.writePool.addingReportingOverflow(returned).partialValue
        if required > available { payload.writePool = required - available }
        _ = try await ledger.submit(.updateAllocation, payload, key: owner)
        return try await ledger.allocation(id)
    }

    /// Ends the allocation now (`cancel_allocation`): the blobbers are paid what they earned and the rest of
    /// the write pool returns to the owner.
    public func cancel(_ id: AllocationID) async throws(ClientError) -> AllocationView {
        let view = try await ledger.allocation(id)
        guard view.allocation.ownerKey == owner.publicKey else { throw .notOwner(allocation: id) }
        _ = try await ledger.submit(.cancelAllocation, CancelAllocationPayload(allocationID: id), key: owner)
        return try await ledger.allocation(id)
    }

    /// The blobber `choice` names, or the best one by the rules of `create` among those not `taken`, from
    /// a region the `spreadAgainst` blobbers use least when such a blobber is eligible.
    func choose(
        _ choice: BlobberChoice, shardSize: UInt64, registered: [BlobberRecord], taken: Set<BlobberID>,
        spreadAgainst: [BlobberID]
    ) async throws(ClientError) -> BlobberRecord {
        switch choice {
        case .id(let id):
            guard let record = registered.first(where: { $0.id == id }) else {
                throw .invalidArgument("blobber \(id.short) is not registered on the ledger")
            }
            guard !taken.contains(id) else { throw .invalidArgument("blobber \(id.short) is already in the allocation") }
            return record
        case .auto:
            let candidates = await probe(registered.filter { !taken.contains($0.id) })
            var use: [String: Int] = [:]
            for id in spreadAgainst {
                if let region = registered.first(where: { $0.id == id })?.region { use[region, default: 0] += 1 }
            }
            // Regions in order of how little the allocation uses them; the first with an eligible blobber wins.
            let regions = Set(candidates.map(\.record.region)).sorted { (use[$0, default: 0], $0) < (use[$1, default: 0], $1) }
            for region in regions {
                if let pick = try? BlobberSelection(count: 1, shardSize: shardSize, regions: [region])
                    .choose(from: candidates).first
                {
                    return pick
                }
            }
            return try BlobberSelection(count: 1, shardSize: shardSize).choose(from: candidates)[0]
        }
    }
}
