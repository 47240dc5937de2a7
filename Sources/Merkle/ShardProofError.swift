/// Why a shard-tree proof (single block or block range) was refused.
public enum ShardProofError: Error, Equatable, CustomStringConvertible {
    /// The computed root is not the expected shard root: a block or a path hash is wrong.
    case rootMismatch(expected: Hash, computed: Hash)
    /// The block index is not inside a tree of `leafCount` blocks.
    case indexOutOfRange(index: Int, leafCount: Int)
    /// The range `[start, start + count)` is empty or not inside a tree of `leafCount` blocks.
    case rangeOutOfBounds(start: Int, count: Int, leafCount: Int)
    /// The proof carries more or fewer hashes than the tree shape requires (truncated or padded proof).
    case pathLength(expected: Int, actual: Int)
    /// The number of block (leaf) hashes given does not match the proven range.
    case leafCountMismatch(expected: Int, actual: Int)
    /// A block is larger than `ShardTree.blockSize`, so it cannot be a shard block.
    case blockTooLarge(size: Int)
    /// Serialised hashes whose length is not a multiple of 32 bytes.
    case serializedLength(Int)

    /// Stable code for logs and error bodies.
    public var code: String {
        switch self {
        case .rootMismatch: "merkle.proof_root_mismatch"
        case .indexOutOfRange: "merkle.proof_index_out_of_range"
        case .rangeOutOfBounds: "merkle.proof_range_out_of_bounds"
        case .pathLength: "merkle.proof_path_length"
        case .leafCountMismatch: "merkle.proof_leaf_count_mismatch"
        case .blockTooLarge: "merkle.block_too_large"
        case .serializedLength: "merkle.serialized_length"
        }
    }

    public var description: String {
        switch self {
        case .rootMismatch(let expected, let computed):
            "shard proof leads to root \(computed), expected \(expected)"
        case .indexOutOfRange(let index, let leafCount):
            "block index \(index) is outside a shard of \(leafCount) blocks"
        case .rangeOutOfBounds(let start, let count, let leafCount):
            "block range [\(start), \(start + count)) is empty or outside a shard of \(leafCount) blocks"
        case .pathLength(let expected, let actual):
            "proof has \(actual) hashes where the tree shape needs \(expected)"
        case .leafCountMismatch(let expected, let actual):
            "got \(actual) block hashes for a range of \(expected) blocks"
        case .blockTooLarge(let size):
            "block of \(size) bytes exceeds the \(ShardTree.blockSize)-byte block size"
        case .serializedLength(let length):
            "serialised hashes of \(length) bytes are not a whole number of 32-byte hashes"
        }
    }
}
