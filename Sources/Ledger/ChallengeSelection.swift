import Merkle
import StorageProtocol

/// Turns a sealed block into a challenge: the seed, and the (allocation, blobber) it falls on.
enum ChallengeSelection {
    static let seedTag: UInt8 = 0x42

    /// `SHA-256(0x42 ‖ block hash)`.
    static func seed(blockHash: Hash) -> Hash {
        var hasher = SHA256()
        hasher.update(byte: seedTag)
        hasher.update(hash: blockHash)
        return hasher.finalize()
    }

    /// Picks a pair weighted by accepted chain size: `candidates` sorted by (allocation_id, blobber_id),
    /// `r = seed.leadingUInt64 % total`, the first pair whose running total exceeds `r`.
    static func pick(seed: Hash, from candidates: [AllocationBlobberRecord]) -> AllocationBlobberRecord? {
        var total: UInt64 = 0
        for candidate in candidates {
            let (sum, overflow) = total.addingReportingOverflow(candidate.head.chainSize)
            total = overflow ? .max : sum
        }
        guard total > 0 else { return nil }
        let r = seed.leadingUInt64 % total
        var running: UInt64 = 0
        for candidate in candidates {
            let (sum, overflow) = running.addingReportingOverflow(candidate.head.chainSize)
            running = overflow ? .max : sum
            if r < running { return candidate }
        }
        return candidates.last
    }
}
