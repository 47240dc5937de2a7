import Merkle
import PropertyBased
import Testing

@Suite struct ShardRangeProofTests {
    /// Every range of every tree up to 24 leaves.
    @Test func everyRangeVerifies() throws {
        var random = TestRandom(seed: 3)
        for leafCount in 1...24 {
            let leaves = (0..<leafCount).map { _ in random.hash() }
            let tree = ShardTree(leaves: leaves)
            for start in 0..<leafCount {
                for end in (start + 1)...leafCount {
                    let proof = tree.proof(forBlocks: start..<end)
                    #expect(proof.blocks == start..<end && proof.leafCount == leafCount)
                    try proof.verify(leafHashes: Array(leaves[start..<end]), against: tree.root)
                }
            }
        }
    }

    @Test func randomRangesVerifyAndTamperingFails() async {
        await propertyCheck(count: 150, input: Gen.int(in: 1...400), Gen.uint64()) { leafCount, seed in
            var random = TestRandom(seed: seed)
            let leaves = (0..<leafCount).map { _ in random.hash() }
            let tree = ShardTree(leaves: leaves)
            let start = Int.random(in: 0..<leafCount, using: &random)
            let end = Int.random(in: (start + 1)...leafCount, using: &random)
            let proof = tree.proof(forBlocks: start..<end)
            let range = Array(leaves[start..<end])
            #expect(throws: Never.self) { try proof.verify(leafHashes: range, against: tree.root) }
            // A proof of the single block is an ordinary audit path's hash set (same subtrees).
            if end - start == 1 {
                #expect(Set(proof.hashes) == Set(tree.proof(forBlock: start).path))
            }

            var changedLeaf = range
            changedLeaf[Int.random(in: 0..<range.count, using: &random)] = random.hash()
            #expect(throws: ShardProofError.self) { try proof.verify(leafHashes: changedLeaf, against: tree.root) }
            #expect(throws: ShardProofError.self) { try proof.verify(leafHashes: range, against: random.hash()) }
            #expect(throws: ShardProofError.leafCountMismatch(expected: range.count, actual: range.count - 1)) {
                try proof.verify(leafHashes: Array(range.dropLast()), against: tree.root)
            }
            if !proof.hashes.isEmpty {
                var changedHash = proof
                changedHash.hashes[Int.random(in: 0..<proof.hashes.count, using: &random)] = random.hash()
                #expect(throws: ShardProofError.self) { try changedHash.verify(leafHashes: range, against: tree.root) }
                var truncated = proof
                truncated.hashes.removeLast()
                #expect(
                    throws: ShardProofError.pathLength(expected: proof.hashes.count, actual: proof.hashes.count - 1)
                ) {
                    try truncated.verify(leafHashes: range, against: tree.root)
                }
            }
            if proof.hashes.count >= 2 {
                var reordered = proof
                reordered.hashes.reverse()
                if reordered.hashes != proof.hashes {
                    #expect(throws: ShardProofError.self) {
                        try reordered.verify(leafHashes: range, against: tree.root)
                    }
                }
            }
            var padded = proof
            padded.hashes.append(random.hash())
            #expect(throws: ShardProofError.self) { try padded.verify(leafHashes: range, against: tree.root) }
            if end < leafCount {
                var shifted = proof
                shifted.start += 1
                #expect(throws: ShardProofError.self) { try shifted.verify(leafHashes: range, against: tree.root) }
            }
            var beyond = proof
            beyond.leafCount = end - 1
            #expect(throws: ShardProofError.rangeOutOfBounds(start: start, count: end - start, leafCount: end - 1)) {
                try beyond.verify(leafHashes: range, against: tree.root)
            }
        }
    }

    @Test func concatenatedBlocksAndSerializedHashes() throws {
        var random = TestRandom(seed: 6)
        let data = random.bytes(9 * 65_536 + 4000)
        var builder = ShardTreeBuilder()
        builder.append(data)
        let tree = builder.finish()
        let proof = tree.proof(forBlocks: 3..<10)  // runs to the short last block
        let wire = try ShardRangeProof(
            start: 3, count: 7, leafCount: tree.blockCount, serializedHashes: proof.serializedHashes)
        #expect(wire == proof)
        try wire.verify(concatenatedBlocks: Array(data[(3 * 65_536)...]), against: tree.root)
        var changed = Array(data[(3 * 65_536)...])
        changed[70_000] ^= 0x80
        #expect(throws: ShardProofError.self) { try wire.verify(concatenatedBlocks: changed, against: tree.root) }
        #expect(throws: ShardProofError.serializedLength(31)) {
            try ShardRangeProof(start: 0, count: 1, leafCount: 1, serializedHashes: [UInt8](repeating: 0, count: 31))
        }
    }
}
