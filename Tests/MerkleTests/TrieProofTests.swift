import Merkle
import PropertyBased
import Testing

@Suite struct TrieProofTests {
    @Test func inclusionAndNonInclusionProofsVerify() async {
        await propertyCheck(count: 60, input: Gen.int(in: 0...300), Gen.uint64()) { size, seed in
            var random = TestRandom(seed: seed)
            let leaves = (0..<size).map { _ in TrieLeaf.random(using: &random) }
            let trie = AllocationTrie(leaves: leaves)
            for leaf in leaves.prefix(40) {
                let proof = trie.proof(for: leaf.key)
                #expect(proof.includes(key: leaf.key))
                #expect(throws: Never.self) {
                    try proof.verifyInclusion(
                        key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks, root: trie.root)
                }
                #expect(throws: TrieProofError.keyPresent(key: leaf.key)) {
                    try proof.verifyNonInclusion(key: leaf.key, root: trie.root)
                }
                #expect(throws: TrieProofError.leafMismatch(key: leaf.key)) {
                    try proof.verifyInclusion(
                        key: leaf.key, valueHash: random.hash(), blocks: leaf.blocks, root: trie.root)
                }
                #expect(throws: TrieProofError.leafMismatch(key: leaf.key)) {
                    try proof.verifyInclusion(
                        key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks + 1, root: trie.root)
                }
                #expect(throws: TrieProofError.self) {
                    try proof.verifyInclusion(
                        key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks, root: random.hash())
                }
                if let step = proof.steps.indices.randomElement(using: &random) {
                    var changed = proof
                    changed.steps[step].siblingBlocks += 1
                    #expect(throws: TrieProofError.self) {
                        try changed.verifyInclusion(
                            key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks, root: trie.root)
                    }
                    changed = proof
                    changed.steps[step].siblingHash = random.hash()
                    #expect(throws: TrieProofError.self) {
                        try changed.verifyInclusion(
                            key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks, root: trie.root)
                    }
                    var truncated = proof
                    truncated.steps.remove(at: step)
                    #expect(throws: TrieProofError.self) {
                        try truncated.verifyInclusion(
                            key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks, root: trie.root)
                    }
                }
                if proof.steps.count >= 2 {
                    var swapped = proof
                    swapped.steps.swapAt(0, 1)
                    #expect(throws: TrieProofError.splitOrder(splitBit: proof.steps[0].splitBit)) {
                        try swapped.computedRoot()
                    }
                }
            }
            for _ in 0..<20 {
                let absent = random.hash()
                let proof = trie.proof(for: absent)
                #expect(!proof.includes(key: absent))
                #expect(throws: Never.self) { try proof.verifyNonInclusion(key: absent, root: trie.root) }
                #expect(throws: Never.self) {
                    let leaf = try proof.verify(key: absent, root: trie.root)
                    #expect(leaf == nil)
                }
                #expect(throws: TrieProofError.self) {
                    try proof.verifyInclusion(key: absent, valueHash: random.hash(), blocks: 0, root: trie.root)
                }
                #expect(throws: TrieProofError.self) { try proof.verifyNonInclusion(key: absent, root: random.hash()) }
                // The walk for another key is not a proof of `absent`'s absence when it turns differently.
                if let leaf = proof.leaf, let step = proof.steps.first {
                    var misdirected = absent.bytes
                    misdirected[step.splitBit / 8] ^= 0x80 >> UInt8(step.splitBit % 8)
                    let other = Hash(bytes: misdirected)!
                    if other != leaf.key {
                        #expect(throws: TrieProofError.directionMismatch(key: other, splitBit: step.splitBit)) {
                            try proof.verifyNonInclusion(key: other, root: trie.root)
                        }
                    }
                }
            }
        }
    }

    @Test func emptyTrieProofs() throws {
        let proof = AllocationTrie().proof(for: .zero)
        #expect(proof == TrieProof(steps: [], leaf: nil))
        try proof.verifyNonInclusion(key: SHA256.hash([UInt8]()), root: .zero)
        #expect(throws: TrieProofError.leafMismatch(key: .zero)) {
            try proof.verifyInclusion(key: .zero, valueHash: .zero, blocks: 0, root: .zero)
        }
        let bogus = TrieProof(steps: [.init(splitBit: 0, siblingHash: .zero, siblingBlocks: 0)], leaf: nil)
        #expect(throws: TrieProofError.malformed("steps without a leaf")) { try bogus.computedRoot() }
        #expect(TrieProofError.malformed("x").code == "merkle.trie_malformed")
        #expect(try JSONCoding.encode(proof) == "{\"leaf\":null,\"steps\":[]}")
    }

    @Test func overflowingTotalsAreRefused() {
        let leaf = TrieLeaf(key: .zero, valueHash: .zero, blocks: .max)
        let proof = TrieProof(steps: [.init(splitBit: 3, siblingHash: .zero, siblingBlocks: 1)], leaf: leaf)
        #expect(throws: TrieProofError.totalOverflow) { try proof.computedRoot() }
        let outOfRange = TrieProof(steps: [.init(splitBit: 256, siblingHash: .zero, siblingBlocks: 1)], leaf: leaf)
        #expect(throws: TrieProofError.splitOrder(splitBit: 256)) { try outOfRange.computedRoot() }
    }

    @Test func proofJSONRoundTrips() throws {
        var random = TestRandom(seed: 12)
        let leaves = (0..<10).map { _ in TrieLeaf.random(using: &random) }
        let proof = AllocationTrie(leaves: leaves).proof(for: leaves[3].key)
        let json = try JSONCoding.encode(proof)
        #expect(
            json.contains("\"split_bit\":") && json.contains("\"sibling_hash\":")
                && json.contains("\"sibling_blocks\":"))
        #expect(json.contains("\"value_hash\":\"\(leaves[3].valueHash.hex)\""))
        #expect(try JSONCoding.decode(TrieProof.self, from: json) == proof)
    }
}
