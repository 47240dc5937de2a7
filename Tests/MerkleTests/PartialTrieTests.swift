import Merkle
import PropertyBased
import TestProcesses
import Testing

@Suite struct PartialTrieTests {
    enum Change {
        case set(TrieLeaf)
        case remove(Hash)

        var key: Hash {
            switch self {
            case .set(let leaf): leaf.key
            case .remove(let key): key
            }
        }
    }

    /// Applies `changes` to the full trie and, through proofs for the changed keys only, to a partial
    /// trie: both must reach the same root.
    static func check(_ leaves: [TrieLeaf], _ changes: [Change]) throws -> (full: AllocationTrie, partial: Hash) {
        var full = AllocationTrie(leaves: leaves)
        let proofs = Set(changes.map(\.key)).sorted().map { full.proof(for: $0) }
        var partial = try PartialTrie(root: full.root, proofs: proofs)
        for change in changes {
            switch change {
            case .set(let leaf):
                full.set(key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks)
                partial.set(key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks)
            case .remove(let key):
                full.remove(key: key)
                partial.remove(key: key)
            }
        }
        let root = try partial.newRoot()
        if !(leaves.isEmpty == false && changes.isEmpty) {
            #expect(try partial.newTotalBlocks() == full.totalBlocks)
        }
        return (full, root)
    }

    @Test func partialTrieMatchesFullTrie() async {
        await propertyCheck(count: 120, input: Gen.int(in: 0...300), Gen.int(in: 0...40), Gen.uint64()) {
            size, changeCount, seed in
            recordingErrors {
                var random = TestRandom(seed: seed)
                let leaves = (0..<size).map { _ in TrieLeaf.random(using: &random) }
                var changes = [Change]()
                for _ in 0..<changeCount {
                    let existing = leaves.randomElement(using: &random)
                    switch Int.random(in: 0..<5, using: &random) {
                    case 0:  // insert a new key
                        changes.append(.set(TrieLeaf.random(using: &random)))
                    case 1 where existing != nil:  // update
                        changes.append(.set(TrieLeaf(key: existing!.key, valueHash: random.hash(), blocks: 9)))
                    case 2 where existing != nil:  // delete
                        changes.append(.remove(existing!.key))
                    case 3 where existing != nil:  // rename: delete + insert
                        changes.append(.remove(existing!.key))
                        changes.append(
                            .set(TrieLeaf(key: random.hash(), valueHash: existing!.valueHash, blocks: existing!.blocks))
                        )
                    default:  // delete an absent key, or delete then re-insert the same key
                        if let existing, Bool.random(using: &random) {
                            changes.append(.remove(existing.key))
                            changes.append(.set(existing))
                        } else {
                            changes.append(.remove(random.hash()))
                        }
                    }
                }
                let (full, partial) = try PartialTrieTests.check(leaves, changes)
                #expect(partial == full.root)
            }
        }
    }

    @Test func degenerateCases() throws {
        var random = TestRandom(seed: 21)
        let one = TrieLeaf.random(using: &random)
        let many = (0..<50).map { _ in TrieLeaf.random(using: &random) }
        let cases: [([TrieLeaf], [Change])] = [
            ([], []),  // empty, nothing changes
            ([], [.set(one)]),  // insert into empty
            ([], [.remove(one.key)]),  // remove from empty
            ([one], [.remove(one.key)]),  // one entry, removed
            ([one], [.set(TrieLeaf(key: one.key, valueHash: .zero, blocks: 1))]),  // one entry, updated
            ([one], [.remove(one.key), .set(many[0])]),  // replace the only entry
            (many, many.map { .remove($0.key) }),  // delete everything
            (many, many.map { .remove($0.key) } + [.set(one)]),  // delete everything, insert one
        ]
        for (leaves, changes) in cases {
            let (full, partial) = try PartialTrieTests.check(leaves, changes)
            #expect(partial == full.root)
        }
        #expect(try PartialTrieTests.check(many, many.map { .remove($0.key) }).partial == .zero)
    }

    /// Changes to a key whose walk ends at a leaf removed in the same commit: inserts go first and
    /// an absent key's absence is settled before any remove collapses that leaf's parent (which would
    /// put an opaque subtree on the walk).
    @Test func changesBesideARemovedLeaf() throws {
        var random = TestRandom(seed: 24)
        let leaves = (0..<200).map { _ in TrieLeaf.random(using: &random) }
        for leaf in leaves.prefix(20) {
            var neighbour = leaf.key.bytes
            neighbour[31] ^= 1  // differs only in bit 255, so its walk ends at `leaf`
            let absent = Hash(bytes: neighbour)!
            let replacement = TrieLeaf(key: absent, valueHash: leaf.valueHash, blocks: leaf.blocks)
            for changes: [Change] in [
                [.remove(leaf.key), .remove(absent)], [.remove(absent), .remove(leaf.key)],
                [.remove(leaf.key), .set(replacement)],  // a rename onto the removed leaf's spot
            ] {
                let (full, partial) = try PartialTrieTests.check(leaves, changes)
                #expect(partial == full.root)
            }
        }
    }

    @Test func missingProofIsNamed() throws {
        var random = TestRandom(seed: 22)
        let leaves = (0..<64).map { _ in TrieLeaf.random(using: &random) }
        let full = AllocationTrie(leaves: leaves)
        var partial = try PartialTrie(root: full.root, proofs: [full.proof(for: leaves[0].key)])
        let unproven = leaves.first {
            full.proof(for: $0.key).steps.first?.splitBit == 0 && $0.key.bit(0) != leaves[0].key.bit(0)
        }!
        partial.remove(key: unproven.key)
        #expect(throws: TrieProofError.missingProof(key: unproven.key)) { try partial.newRoot() }
        #expect(TrieProofError.missingProof(key: .zero).code == "merkle.trie_missing_proof")
        // Nothing was applied: dropping the bad change still works.
        var retry = try PartialTrie(root: full.root, proofs: [full.proof(for: leaves[0].key)])
        retry.remove(key: leaves[0].key)
        var expected = full
        expected.remove(key: leaves[0].key)
        #expect(try retry.newRoot() == expected.root)
        #expect(try retry.newTotalBlocks() == expected.totalBlocks)
    }

    @Test func proofsForAnotherRootAreRefused() throws {
        var random = TestRandom(seed: 23)
        let leaves = (0..<10).map { _ in TrieLeaf.random(using: &random) }
        let full = AllocationTrie(leaves: leaves)
        let other = random.hash()
        #expect(throws: TrieProofError.rootMismatch(expected: other, computed: full.root)) {
            try PartialTrie(root: other, proofs: [full.proof(for: leaves[0].key)])
        }
        var unproven = try PartialTrie(root: full.root, proofs: [])
        #expect(try unproven.newRoot() == full.root)
        #expect(throws: TrieProofError.noProofs) { try unproven.newTotalBlocks() }
        unproven.remove(key: leaves[0].key)
        #expect(throws: TrieProofError.missingProof(key: leaves[0].key)) { try unproven.newRoot() }
    }

    @Test func entriesUseTheKindsHash() throws {
        let entry = FileEntry(
            path: "/m", size: 5, contentHash: .zero, shardRoot: SHA256.hash([UInt8(1)]), blockCount: 1, createdAt: 1,
            updatedAt: 2)
        var partial = try PartialTrie(root: .zero, proofs: [], kind: .fileMeta)
        partial.set(entry)
        #expect(try partial.newRoot() == AllocationTrie(kind: .fileMeta, entries: [entry]).root)
    }
}
