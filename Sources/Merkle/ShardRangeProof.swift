/// Proof that blocks `[start, start + count)` belong to a shard, for downloads that fetch a run of blocks.
///
/// The verifier rebuilds the root from the range's own leaf hashes plus `hashes`: the hashes of the
/// maximal subtrees of the RFC 6962 tree that lie entirely outside the range, **in left-to-right
/// order** (all those left of the range, then all those right of it). Walking the tree from the
/// root, a node inside the range is computed from the leaves, a node outside it takes the next proof
/// hash, and a node straddling a range edge is split at the RFC 6962 split point. At most about
/// 2·log₂(n) hashes, however long the range.
public struct ShardRangeProof: Sendable, Hashable, Codable {
    /// First block of the range.
    public var start: Int
    /// Blocks in the range (at least 1).
    public var count: Int
    /// Blocks in the shard (the tree size).
    public var leafCount: Int
    /// Subtree hashes outside the range, left to right.
    public var hashes: [Hash]

    public init(start: Int, count: Int, leafCount: Int, hashes: [Hash]) {
        self.start = start
        self.count = count
        self.leafCount = leafCount
        self.hashes = hashes
    }

    /// Decodes `hashes` sent as concatenated 32-byte values (the `x-blob-range-proof` header, hex-decoded).
    public init(start: Int, count: Int, leafCount: Int, serializedHashes: some ContiguousBytes) throws(ShardProofError)
    {
        self.init(
            start: start, count: count, leafCount: leafCount, hashes: try ShardTree.decodeHashes(serializedHashes))
    }

    enum CodingKeys: String, CodingKey {
        case start
        case count
        case leafCount = "leaf_count"
        case hashes
    }

    public var blocks: Range<Int> { start..<(start + count) }

    /// `hashes` concatenated, 32 bytes each.
    public var serializedHashes: [UInt8] { ShardTree.encodeHashes(hashes) }

    /// Checks the leaf hashes of the range's blocks, in block order, against `root`.
    public func verify(leafHashes: [Hash], against root: Hash) throws(ShardProofError) {
        // `leafCount >= count` first: `leafCount - count` must not overflow on a hostile leaf count.
        guard start >= 0, count > 0, leafCount >= count, start <= leafCount - count else {
            throw .rangeOutOfBounds(start: start, count: count, leafCount: leafCount)
        }
        guard leafHashes.count == count else { throw .leafCountMismatch(expected: count, actual: leafHashes.count) }
        let expected = ShardRangeProof.expectedHashCount(range: blocks, leafCount: leafCount)
        guard hashes.count == expected else { throw .pathLength(expected: expected, actual: hashes.count) }
        var next = 0
        let computed = rebuild(0..<leafCount, leafHashes: leafHashes, next: &next)
        guard computed == root else { throw .rootMismatch(expected: root, computed: computed) }
    }

    /// Checks the blocks' bytes laid end to end (every block 64 KiB except possibly the shard's last).
    public func verify(concatenatedBlocks bytes: some ContiguousBytes, against root: Hash) throws(ShardProofError) {
        let leafHashes = bytes.withUnsafeBytes { raw in
            stride(from: 0, to: raw.count, by: ShardTree.blockSize).map { offset in
                ShardTree.leafHash(
                    UnsafeRawBufferPointer(rebasing: raw[offset..<min(offset + ShardTree.blockSize, raw.count)]))
            }
        }
        try verify(leafHashes: leafHashes, against: root)
    }

    /// Number of outside subtrees for `range` in a tree of `leafCount` leaves.
    static func expectedHashCount(range: Range<Int>, leafCount: Int) -> Int {
        var total = 0
        ShardRangeProof.walk(0..<leafCount, range: range) { _ in total += 1 }
        return total
    }

    /// Calls `outside` for each maximal subtree outside `range`, left to right.
    static func walk(_ node: Range<Int>, range: Range<Int>, outside: (Range<Int>) -> Void) {
        if node.upperBound <= range.lowerBound || node.lowerBound >= range.upperBound {
            outside(node)
        } else if node.lowerBound >= range.lowerBound && node.upperBound <= range.upperBound {
            return
        } else {
            let middle = node.lowerBound + ShardTree.splitPoint(node.count)
            walk(node.lowerBound..<middle, range: range, outside: outside)
            walk(middle..<node.upperBound, range: range, outside: outside)
        }
    }

    private func rebuild(_ node: Range<Int>, leafHashes: [Hash], next: inout Int) -> Hash {
        if node.upperBound <= start || node.lowerBound >= start + count {
            defer { next += 1 }
            return hashes[next]
        }
        if node.lowerBound >= start && node.upperBound <= start + count {
            return ShardRangeProof.merkleTreeHash(leafHashes[(node.lowerBound - start)..<(node.upperBound - start)])
        }
        let middle = node.lowerBound + ShardTree.splitPoint(node.count)
        let left = rebuild(node.lowerBound..<middle, leafHashes: leafHashes, next: &next)
        let right = rebuild(middle..<node.upperBound, leafHashes: leafHashes, next: &next)
        return ShardTree.innerHash(left, right)
    }

    /// RFC 6962 MTH over leaf hashes, in O(n) with a stack of perfect subtrees: equal-sized neighbours
    /// merge as leaves arrive, and what is left merges right to left (the tree's right edge).
    static func merkleTreeHash(_ leaves: ArraySlice<Hash>) -> Hash {
        var stack: [(hash: Hash, size: Int)] = []
        for leaf in leaves {
            var item = (hash: leaf, size: 1)
            while let top = stack.last, top.size == item.size {
                stack.removeLast()
                item = (ShardTree.innerHash(top.hash, item.hash), top.size * 2)
            }
            stack.append(item)
        }
        guard var hash = stack.popLast()?.hash else { return ShardTree.emptyRoot }
        while let top = stack.popLast() { hash = ShardTree.innerHash(top.hash, hash) }
        return hash
    }
}

extension ShardTree {
    /// The proof for blocks `range` (non-empty, inside the tree; a precondition).
    public func proof(forBlocks range: Range<Int>) -> ShardRangeProof {
        precondition(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= blockCount, "bad block range")
        var hashes = [Hash]()
        ShardRangeProof.walk(0..<blockCount, range: range) { hashes.append(subtreeHash($0)) }
        return ShardRangeProof(start: range.lowerBound, count: range.count, leafCount: blockCount, hashes: hashes)
    }
}
