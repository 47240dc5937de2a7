import Merkle

extension CodecMeasurements {
    /// The shard tree built incrementally over 16 MiB fed in 256 KiB pieces (as a stream arrives);
    /// MB/s of shard bytes. Compare with `sha256_raw`, the same hashing without the tree.
    func shardTree() -> BenchResult {
        let piece = benchBytes(256 << 10)
        let pieces = 64
        var roots = Set<Hash>()
        let perSecond = measureRate(seconds: seconds) {
            var builder = ShardTreeBuilder()
            piece.withUnsafeBytes { bytes in
                for _ in 0..<pieces { builder.append(bytes) }
            }
            roots.insert(builder.finish().root)
            return 1
        }
        precondition(roots.count == 1, "the same input gave different roots")
        return BenchResult(name: "shard_tree", value: perSecond * Double(pieces * piece.count) / 1e6, unit: "MB/s")
    }

    /// One path update (a file entry overwritten with a new shard root, then the root read) in an
    /// allocation trie of 100,000 entries; µs per update.
    func trieUpdate100k() -> BenchResult {
        let count = 100_000
        let entries = (0..<count).map { index in
            FileEntry(
                path: "/data/\(index / 1000)/file-\(index).bin", size: 65_536, contentHash: SHA256.hash(Array("\(index)".utf8)),
                shardRoot: SHA256.hash(Array("root-\(index)".utf8)), blockCount: 1, createdAt: 1, updatedAt: 1)
        }
        var trie = AllocationTrie(entries: entries)
        precondition(trie.count == count)
        var round: UInt64 = 0
        var lastRoot = trie.root
        let perSecond = measureRate(seconds: seconds) {
            for _ in 0..<1000 {
                round &+= 0x9E37_79B9
                var entry = entries[Int(round % UInt64(count))]
                entry.shardRoot = SHA256.hash(withUnsafeBytes(of: round) { Array($0) })
                entry.blockCount = 1 + round % 7
                trie.set(entry)
                lastRoot = trie.root
            }
            return 1000
        }
        precondition(trie.count == count && lastRoot != .zero)
        return BenchResult(name: "trie_update_100k", value: 1e6 / perSecond, unit: "µs")
    }
}
