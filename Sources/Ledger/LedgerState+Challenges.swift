import Merkle
import StorageProtocol

extension LedgerState {
    /// `issue_challenge` (system): the payload must be exactly what the ledger derives from the latest
    /// sealed block and the current state.
    mutating func issueChallenge(_ tx: LedgerTransaction, _ payload: IssueChallengePayload) throws -> TransactionResult {
        let seed = ChallengeSelection.seed(blockHash: try store.latestBlockHash())
        guard payload.seed == seed else { throw LedgerError.challengeMismatch(reason: "seed is not from the latest block") }
        guard payload.challengeID == seed else { throw LedgerError.challengeMismatch(reason: "challenge_id must be the seed") }
        guard try store.challenge(payload.challengeID) == nil else {
            throw LedgerError.challengeMismatch(reason: "already issued")
        }
        guard let pick = ChallengeSelection.pick(seed: seed, from: try store.challengeCandidates(now: context.now)) else {
            throw LedgerError.challengeMismatch(reason: "no allocation stores data")
        }
        guard pick.allocationID == payload.allocationID, pick.blobberID == payload.blobberID else {
            throw LedgerError.challengeMismatch(reason: "the seed selects \(pick.allocationID)/\(pick.blobberID)")
        }
        guard payload.root == pick.head.allocationRoot else {
            throw LedgerError.challengeMismatch(reason: "root is not the latest accepted root")
        }
        let (deadline, overflow) = tx.timestamp.addingReportingOverflow(context.rules.challengeTimeout)
        guard !overflow, payload.deadline == deadline else {
            throw LedgerError.challengeMismatch(reason: "deadline must be timestamp + challenge timeout")
        }
        try store.save(
            ChallengeRecord(
                id: payload.challengeID, allocationID: payload.allocationID, blobberID: payload.blobberID,
                root: payload.root, seed: seed, issuedAt: tx.timestamp, deadline: payload.deadline, status: .open))
        var result = TransactionResult()
        result.challengeID = payload.challengeID
        return result
    }

    /// `challenge_timeout` (system): an open challenge past its deadline fails and slashes.
    mutating func challengeTimeout(_ payload: ChallengeTimeoutPayload) throws -> TransactionResult {
        guard var challenge = try store.challenge(payload.challengeID) else {
            throw LedgerError.unknownChallenge(payload.challengeID)
        }
        guard challenge.status == .open else { throw LedgerError.challengeClosed(challenge.id) }
        guard context.now > challenge.deadline else {
            throw LedgerError.challengeNotDue(challenge.id, deadline: challenge.deadline)
        }
        challenge.status = .timeout
        try store.save(challenge)
        var result = TransactionResult()
        result.challengeID = challenge.id
        result.passed = false
        result.slashed = try slash(challenge)
        result.reason = "challenge.timeout"
        return result
    }

    /// `challenge_response`: the challenged blobber answers once; a wrong answer is recorded as failed.
    mutating func challengeResponse(_ tx: LedgerTransaction, _ payload: ChallengeResponsePayload) throws
        -> TransactionResult
    {
        guard var challenge = try store.challenge(payload.challengeID) else {
            throw LedgerError.unknownChallenge(payload.challengeID)
        }
        guard tx.publicKey.blobberID == challenge.blobberID else { throw LedgerError.notChallengedBlobber(tx.sender) }
        guard challenge.status == .open else { throw LedgerError.challengeClosed(challenge.id) }
        var result = TransactionResult()
        result.challengeID = challenge.id
        if let failure = ChallengeAnswer.check(payload, for: challenge) {
            challenge.status = .failed
            try store.save(challenge)
            result.passed = false
            result.slashed = try slash(challenge)
            result.reason = failure
            return result
        }
        challenge.status = .passed
        try store.save(challenge)
        result.passed = true
        result.released = 0
        if var record = try store.allocationBlobber(challenge.allocationID, challenge.blobberID),
            record.challengePool > 0
        {
            let release = max(record.challengePool / 2, 1)
            record.challengePool -= release
            try store.save(record)
            try store.credit(challenge.blobberID.hash, release)
            result.released = release
        }
        return result
    }

    /// Moves 10% of the blobber's stake (at least 1 unit while it has any) to the allocation's owner.
    private mutating func slash(_ challenge: ChallengeRecord) throws -> UInt64 {
        guard var blobber = try store.blobber(challenge.blobberID), blobber.stake > 0,
            let allocation = try store.allocation(challenge.allocationID)
        else { return 0 }
        let amount = max(blobber.stake / 10, 1)
        blobber.stake -= amount
        try store.save(blobber)
        try store.credit(allocation.ownerID.hash, amount)
        return amount
    }
}
