/// The Merkle tree over one shard's 64 KiB blocks: RFC 6962's Merkle Tree Hash, exactly.
///
/// `leaf = H(0x00 ‖ block)`, `inner = H(0x01 ‖ left ‖ right)`, and `n > 1` leaves split at the
/// largest power of two strictly smaller than `n`, so an odd node is never duplicated (the flaw of
/// Bitcoin-style trees). The root of no leaves is `H("")`. One tree serves download verification
/// (single-block and range proofs) and storage challenges.
///
/// Every perfect, aligned subtree is kept (`levels`), about two hashes per block: a 2 GiB shard
/// costs 2 MiB, and any proof then costs O(log² n) hashes at most instead of re-hashing the tree.
public struct ShardTree: Sendable, Equatable {
    /// Bytes per block; the last block of a shard may be shorter and is hashed at its real length.
    public static let blockSize = 65_536
    public static let leafTag: UInt8 = 0x00
    public static let innerTag: UInt8 = 0x01
    /// `H("")`, the RFC 6962 root of an empty tree (a shard is never empty in practice).
    public static let emptyRoot = SHA256.hash([UInt8]())

    /// `levels[h][j]` is the hash of the perfect subtree over leaves `[j·2^h, (j+1)·2^h)`.
    private let levels: [[Hash]]
    /// The shard root.
    public let root: Hash

    /// Rebuilds the tree from its leaf hashes (what a blobber keeps on disk), in O(n).
    public init(leaves: [Hash]) {
        var levels = [leaves]
        while let below = levels.last, below.count > 1 {
            var next = [Hash]()
            next.reserveCapacity(below.count / 2)
            for pair in 0..<(below.count / 2) {
                next.append(ShardTree.innerHash(below[2 * pair], below[2 * pair + 1]))
            }
            levels.append(next)
        }
        self.levels = levels
        self.root = leaves.isEmpty ? ShardTree.emptyRoot : ShardTree.subtreeHash(0..<leaves.count, levels: levels)
    }

    /// The leaf hashes `H(0x00 ‖ block)`, in block order.
    public var leaves: [Hash] { levels[0] }

    public var blockCount: Int { levels[0].count }

    /// `H(0x00 ‖ block)`.
    public static func leafHash(_ block: UnsafeRawBufferPointer) -> Hash {
        var hasher = SHA256()
        hasher.update(byte: leafTag)
        hasher.update(block)
        return hasher.finalize()
    }

    public static func leafHash(_ block: some ContiguousBytes) -> Hash {
        block.withUnsafeBytes { leafHash($0) }
    }

    /// `H(0x01 ‖ left ‖ right)`, 65 bytes hashed.
    public static func innerHash(_ left: Hash, _ right: Hash) -> Hash {
        HashInput.hash(byteCount: 65) { input in
            input.write(byte: innerTag)
            input.write(hash: left)
            input.write(hash: right)
        }
    }

    /// The RFC 6962 split point of `count > 1` leaves: the largest power of two strictly below it.
    static func splitPoint(_ count: Int) -> Int {
        precondition(count > 1)
        return 1 << (Int.bitWidth - 1 - (count - 1).leadingZeroBitCount)
    }

    /// MTH of `leaves[range]`, per RFC 6962's recursive definition; perfect aligned subtrees are looked up.
    func subtreeHash(_ range: Range<Int>) -> Hash {
        ShardTree.subtreeHash(range, levels: levels)
    }

    private static func subtreeHash(_ range: Range<Int>, levels: [[Hash]]) -> Hash {
        let count = range.count
        precondition(count > 0)
        if count & (count - 1) == 0, range.lowerBound % count == 0 {
            let height = count.trailingZeroBitCount
            return levels[height][range.lowerBound >> height]
        }
        let middle = range.lowerBound + splitPoint(count)
        return innerHash(
            subtreeHash(range.lowerBound..<middle, levels: levels),
            subtreeHash(middle..<range.upperBound, levels: levels))
    }
}
