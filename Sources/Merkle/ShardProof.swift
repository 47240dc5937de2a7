/// Proof that one block belongs to a shard: RFC 6962's audit path (RFC 9162 §2.1.3 "inclusion proof").
///
/// `path` lists sibling subtree hashes bottom-up (the leaf's sibling first, the root's child last),
/// exactly as RFC 6962 §2.1.1 `PATH(m, D[n])` produces them.
public struct ShardProof: Sendable, Hashable, Codable {
    /// Index of the proven block (0-based).
    public var blockIndex: Int
    /// Blocks in the shard (the tree size).
    public var leafCount: Int
    /// Sibling hashes, bottom-up.
    public var path: [Hash]

    public init(blockIndex: Int, leafCount: Int, path: [Hash]) {
        self.blockIndex = blockIndex
        self.leafCount = leafCount
        self.path = path
    }

    enum CodingKeys: String, CodingKey {
        case blockIndex = "block_index"
        case leafCount = "leaf_count"
        case path
    }

    /// The path length the tree shape fixes for leaf `index` of `leafCount`: a proof of any other
    /// length (truncated or extended) is refused before hashing.
    public static func expectedPathLength(index: Int, leafCount: Int) -> Int {
        var index = index
        var size = leafCount
        var length = 0
        while size > 1 {
            let split = ShardTree.splitPoint(size)
            if index < split {
                size = split
            } else {
                index -= split
                size -= split
            }
            length += 1
        }
        return length
    }

    /// Checks `block` (at most 64 KiB) against `root`.
    public func verify(block: some ContiguousBytes, against root: Hash) throws(ShardProofError) {
        let size = block.withUnsafeBytes { $0.count }
        guard size <= ShardTree.blockSize else { throw .blockTooLarge(size: size) }
        try verify(leafHash: ShardTree.leafHash(block), against: root)
    }

    /// Checks a leaf hash `H(0x00 ‖ block)` against `root`.
    public func verify(leafHash: Hash, against root: Hash) throws(ShardProofError) {
        let computed = try computedRoot(leafHash: leafHash)
        guard computed == root else { throw .rootMismatch(expected: root, computed: computed) }
    }

    /// The root this proof leads to from `leafHash` (RFC 9162 §2.1.3.2 verification algorithm).
    public func computedRoot(leafHash: Hash) throws(ShardProofError) -> Hash {
        guard blockIndex >= 0, blockIndex < leafCount else {
            throw .indexOutOfRange(index: blockIndex, leafCount: leafCount)
        }
        let expected = ShardProof.expectedPathLength(index: blockIndex, leafCount: leafCount)
        guard path.count == expected else { throw .pathLength(expected: expected, actual: path.count) }
        var index = blockIndex
        var last = leafCount - 1
        var hash = leafHash
        for sibling in path {
            if index & 1 == 1 || index == last {
                hash = ShardTree.innerHash(sibling, hash)
                // A right-edge node with no sibling at this level moves up unchanged.
                while index & 1 == 0 && index != 0 {
                    index >>= 1
                    last >>= 1
                }
            } else {
                hash = ShardTree.innerHash(hash, sibling)
            }
            index >>= 1
            last >>= 1
        }
        return hash
    }
}

extension ShardTree {
    /// The audit path of block `index`. Callers check `index < blockCount` first (a precondition).
    public func proof(forBlock index: Int) -> ShardProof {
        precondition(index >= 0 && index < blockCount, "block \(index) outside a tree of \(blockCount) blocks")
        var siblings = [Hash]()
        var range = 0..<blockCount
        while range.count > 1 {
            let middle = range.lowerBound + ShardTree.splitPoint(range.count)
            if index < middle {
                siblings.append(subtreeHash(middle..<range.upperBound))
                range = range.lowerBound..<middle
            } else {
                siblings.append(subtreeHash(range.lowerBound..<middle))
                range = middle..<range.upperBound
            }
        }
        return ShardProof(blockIndex: index, leafCount: blockCount, path: siblings.reversed())
    }
}
