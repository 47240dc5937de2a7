@testable import Blobber
import Merkle
import StorageProtocol
import Testing

@Suite struct ShardTreeCacheTests {
    static func tree(_ seed: UInt8, blocks: Int) -> ShardTree {
        ShardTree(leaves: (0..<blocks).map { SHA256.hash([seed, UInt8(truncatingIfNeeded: $0)]) })
    }

    @Test func keepsRecentlyUsedTreesWithinItsBytesAndRebuildsSmallOnes() {
        // Room for exactly two trees of 64 blocks (2 × 64 × 32 bytes each).
        let cache = ShardTreeCache(capacityBytes: 2 * 2 * 64 * 32)
        let allocation = AllocationID(SHA256.hash([1]))
        var builds: [UInt8] = []
        func get(_ seed: UInt8, blocks: Int = 64) -> ShardTree {
            let expected = Self.tree(seed, blocks: blocks)
            let key = ShardTreeCache.Key(allocation: allocation, shardRoot: expected.root)
            return cache.tree(key) {
                builds.append(seed)
                return expected
            }
        }
        #expect(get(1).root == Self.tree(1, blocks: 64).root)
        _ = get(2)
        _ = get(1)  // 1 is now the most recently used
        _ = get(3)  // evicts 2, the least recently used
        _ = get(1)
        _ = get(3)
        _ = get(2)
        #expect(builds == [1, 2, 3, 2])
        // A tree below the minimum is never kept.
        _ = get(9, blocks: 3)
        _ = get(9, blocks: 3)
        #expect(builds == [1, 2, 3, 2, 9, 9])
    }
}
