import Merkle
import PropertyBased
import Testing

@Suite struct AllocationTrieTests {
    @Test func emptyAndSingleEntryRoots() throws {
        var trie = AllocationTrie()
        #expect(trie.root == .zero && trie.totalBlocks == 0 && trie.count == 0 && trie.isEmpty)
        let leaf = TrieLeaf(key: SHA256.hash(Array("k".utf8)), valueHash: SHA256.hash(Array("v".utf8)), blocks: 7)
        trie.set(key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks)
        #expect(trie.root == Reference.sha([0x02], leaf.key.bytes, leaf.valueHash.bytes, Reference.be64(7)))
        #expect(trie.totalBlocks == 7 && trie.count == 1 && trie.lookup(key: leaf.key) == leaf)
        #expect(trie.remove(key: .zero) == nil && trie.count == 1)
        #expect(trie.remove(key: leaf.key) == leaf)
        #expect(trie.root == .zero && trie.isEmpty && trie.lookup(key: leaf.key) == nil)
    }

    /// Inserts in random order, the bulk build and the definition agree; removes undo inserts exactly.
    @Test func incrementalBulkAndReferenceAgree() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...300), Gen.uint64()) { size, seed in
            var random = TestRandom(seed: seed)
            let leaves = (0..<size).map { _ in TrieLeaf.random(using: &random) }
            var trie = AllocationTrie()
            for leaf in leaves.shuffled(using: &random) {
                trie.set(key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks)
            }
            let bulk = AllocationTrie(leaves: leaves)
            let expected = Reference.trieRoot(leaves)
            #expect(trie.root == expected)
            #expect(bulk.root == expected)
            #expect(trie.count == size && bulk.count == size)
            #expect(trie.totalBlocks == leaves.reduce(0) { $0 + $1.blocks })
            #expect(bulk.allLeaves == leaves.sorted { $0.key < $1.key })

            // Update some values, remove some keys, compare with a rebuild from what is left.
            var remaining = Dictionary(uniqueKeysWithValues: leaves.map { ($0.key, $0) })
            for leaf in leaves where Bool.random(using: &random) {
                if Bool.random(using: &random) {
                    #expect(trie.remove(key: leaf.key) == leaf)
                    remaining[leaf.key] = nil
                } else {
                    let updated = TrieLeaf(key: leaf.key, valueHash: random.hash(), blocks: leaf.blocks + 1)
                    trie.set(key: updated.key, valueHash: updated.valueHash, blocks: updated.blocks)
                    remaining[leaf.key] = updated
                }
            }
            #expect(trie.root == Reference.trieRoot(Array(remaining.values)))
            #expect(trie.count == remaining.count)
            // Reusing freed slots must not disturb the result.
            let extra = (0..<20).map { _ in TrieLeaf.random(using: &random) }
            for leaf in extra {
                trie.set(key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks)
                remaining[leaf.key] = leaf
            }
            #expect(trie.root == Reference.trieRoot(Array(remaining.values)))
            #expect(trie.root == AllocationTrie(leaves: Array(remaining.values)).root)
        }
    }

    @Test func bulkBuildKeepsTheLastDuplicate() {
        var random = TestRandom(seed: 11)
        let first = TrieLeaf.random(using: &random)
        let second = TrieLeaf(key: first.key, valueHash: random.hash(), blocks: 3)
        let other = TrieLeaf.random(using: &random)
        let trie = AllocationTrie(leaves: [first, other, second])
        #expect(trie.count == 2 && trie.lookup(key: first.key) == second)
        #expect(trie.root == Reference.trieRoot([second, other]))
    }

    @Test func entriesUseTheHashOfTheTriesKind() {
        let entry = FileEntry(
            path: "/x", size: 1, contentHash: .zero, shardRoot: SHA256.hash(Array("r".utf8)), blockCount: 2,
            createdAt: 0, updatedAt: 0)
        var allocation = AllocationTrie(kind: .allocation)
        var meta = AllocationTrie(kind: .fileMeta)
        allocation.set(entry)
        meta.set(entry)
        #expect(allocation.lookup(key: entry.key)?.valueHash == entry.entryHash)
        #expect(meta.lookup(key: entry.key)?.valueHash == entry.metaHash)
        #expect(AllocationTrie(kind: .fileMeta, entries: [entry]).root == meta.root)
        #expect(allocation.remove(path: "/x") != nil && allocation.isEmpty)
    }
}
