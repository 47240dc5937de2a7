import Merkle
import StorageProtocol

extension LedgerState {
    /// `submit_chain`: verifies every marker and the links between them from the last accepted head,
    /// records the new markers and pays for the growth of the blobber's high-water chain size.
    mutating func submitChain(_ tx: LedgerTransaction, _ payload: SubmitChainPayload) throws -> TransactionResult {
        let allocationID = payload.allocationID
        guard var allocation = try store.allocation(allocationID) else {
            throw LedgerError.unknownAllocation(allocationID)
        }
        guard !allocation.finalized else { throw LedgerError.allocationFinalized(allocationID) }
        guard context.now <= allocation.expiry else {
            throw LedgerError.allocationExpired(allocationID, expiry: allocation.expiry)
        }
        guard !payload.markers.isEmpty else {
            throw LedgerError.transaction(.malformed(reason: "submit_chain payload: no markers"))
        }
        let blobberID = tx.publicKey.blobberID
        guard var record = try store.allocationBlobber(allocationID, blobberID) else {
            throw LedgerError.notAllocationBlobber(sender: tx.sender, allocation: allocationID)
        }
        let owner = allocation.ownerKey
        let signaturesChecked = context.preverifiedOwner == owner
        var head = record.head
        var skipped = 0
        var accepted = 0
        var highest = record.highWater
        for (index, marker) in payload.markers.enumerated() {
            guard marker.allocationID == allocationID else {
                throw LedgerError.marker(index: index, .wrongAllocation(expected: allocationID, got: marker.allocationID))
            }
            guard marker.blobberID == blobberID else {
                throw LedgerError.marker(index: index, .wrongBlobber(expected: blobberID, got: marker.blobberID))
            }
            if accepted == 0, marker.sequence <= head.sequence {
                // Already accepted: must be the very marker stored at that sequence, contiguous with the previous one.
                // The previous marker was accepted before (sequence ≤ head.sequence < 2^64 − 1): `&+` cannot wrap.
                if index > 0, marker.sequence != payload.markers[index - 1].sequence &+ 1 {
                    throw LedgerError.marker(
                        index: index, .sequenceGap(expected: payload.markers[index - 1].sequence &+ 1, got: marker.sequence))
                }
                guard let stored = try store.markerHash(allocationID, blobberID, sequence: marker.sequence),
                    stored == marker.hash
                else { throw LedgerError.chainConflict(index: index, sequence: marker.sequence) }
                skipped += 1
                continue
            }
            do {
                if signaturesChecked {
                    guard owner.clientID == marker.clientID else {
                        throw MarkerError.wrongClient(expected: owner.clientID, got: marker.clientID)
                    }
                    guard marker.signature != nil else { throw MarkerError.missingSignature }
                } else {
                    try marker.verifySignature(owner: owner)
                }
                try marker.verifyLink(from: head, capacity: allocation.shardSize)
                guard marker.timestamp >= allocation.createdAt, marker.timestamp <= allocation.expiry else {
                    throw MarkerError.timestampOutsideAllocation(
                        timestamp: marker.timestamp, start: allocation.createdAt, expiry: allocation.expiry)
                }
            } catch let error as MarkerError {
                throw LedgerError.marker(index: index, error)
            }
            try store.insertMarker(allocationID, blobberID, sequence: marker.sequence, hash: marker.hash)
            head = marker.head
            highest = max(highest, marker.chainSize)
            accepted += 1
        }
        guard accepted > 0 else { throw LedgerError.chainAlreadyAccepted(sequence: head.sequence) }
        record.head = head
        var result = TransactionResult()
        result.markersAccepted = accepted
        result.markersSkipped = skipped
        result.sequence = head.sequence
        result.paid = 0
        result.pooled = 0
        if highest > record.highWater {
            record.highWater = highest
            // Pay to the floor of the whole high water, minus what was already paid: rounding never drifts.
            let target = Token.costRoundedDown(bytes: highest, pricePerGiB: record.writePrice) ?? .max
            let due = target - min(target, record.paid)
            let pay = min(due, allocation.writePool)
            if pay > 0 {
                allocation.writePool -= pay
                record.paid += pay
                let immediate = pay / 2
                let pooled = pay - immediate
                try store.save(allocation)
                try store.credit(blobberID.hash, immediate)
                record.challengePool += pooled
                result.paid = immediate
                result.pooled = pooled
            }
        }
        try store.save(record)
        return result
    }
}
