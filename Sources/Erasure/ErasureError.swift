/// Why an erasure-coding call was refused. Every case is detected before any output is written, so a
/// failed call leaves the caller's buffers and shard arrays exactly as they were.
public enum ErasureError: Error, Equatable, CustomStringConvertible, Sendable {
    /// `k` must be at least 1, `m` at least 0 and `k + m` at most 256 (GF(2^8) has 256 distinct
    /// Cauchy points, so no more shards can be kept independent).
    case invalidShape(dataShards: Int, parityShards: Int)
    /// A list of shards or buffers had the wrong number of entries for this coder.
    case wrongShardCount(expected: Int, got: Int)
    /// All shards in one call must have the same length; `index` is the first that differs.
    case shardLengthMismatch(index: Int, expected: Int, got: Int)
    /// A contiguous stripe must be exactly `k × shardLength` bytes.
    case stripeLengthMismatch(stripeLength: Int, dataShards: Int, shardLength: Int)
    /// Fewer than `k` shards survive: the stripe cannot be rebuilt.
    case tooFewShards(present: Int, required: Int)
    /// A shard index outside `0..<k+m`.
    case indexOutOfRange(index: Int, shardCount: Int)
    /// The same index was given both as present and as missing.
    case shardBothPresentAndMissing(index: Int)
    /// ISA-L takes lengths as a C `int`; blocks are 64 KiB, so this only catches misuse.
    case shardTooLarge(length: Int)

    /// Stable across releases; documented in docs/PROTOCOL.md section 5.
    public var code: String {
        switch self {
        case .invalidShape: "erasure.invalid_shape"
        case .wrongShardCount: "erasure.wrong_shard_count"
        case .shardLengthMismatch: "erasure.shard_length_mismatch"
        case .stripeLengthMismatch: "erasure.stripe_length_mismatch"
        case .tooFewShards: "erasure.too_few_shards"
        case .indexOutOfRange: "erasure.index_out_of_range"
        case .shardBothPresentAndMissing: "erasure.shard_present_and_missing"
        case .shardTooLarge: "erasure.shard_too_large"
        }
    }

    public var description: String {
        switch self {
        case .invalidShape(let k, let m):
            "invalid erasure shape \(k)+\(m): need 1 ≤ data shards, 0 ≤ parity shards, total ≤ 256"
        case .wrongShardCount(let expected, let got): "expected \(expected) shards, got \(got)"
        case .shardLengthMismatch(let index, let expected, let got):
            "shard \(index) is \(got) bytes but the others are \(expected) bytes"
        case .stripeLengthMismatch(let stripe, let k, let shard):
            "a stripe of \(stripe) bytes is not \(k) data shards of \(shard) bytes"
        case .tooFewShards(let present, let required):
            "only \(present) shards present; \(required) are needed to reconstruct"
        case .indexOutOfRange(let index, let count): "shard index \(index) is outside 0..<\(count)"
        case .shardBothPresentAndMissing(let index): "shard \(index) is given as both present and missing"
        case .shardTooLarge(let length): "shard length \(length) exceeds \(Int32.max) bytes"
        }
    }
}
