import Merkle
import PropertyBased
import Testing

@Suite struct ShardProofTests {
    /// Every block of trees of 1 to 70 leaves: the proof verifies, and each kind of tampering fails
    /// with the error that names it.
    @Test func everyBlockProofVerifiesAndTamperingFails() throws {
        var random = TestRandom(seed: 1)
        for leafCount in 1...70 {
            let leaves = (0..<leafCount).map { _ in random.hash() }
            let tree = ShardTree(leaves: leaves)
            #expect(tree.root == Reference.merkleTreeHash(leafHashes: leaves[...]))
            let otherRoot = random.hash()
            for index in 0..<leafCount {
                let proof = tree.proof(forBlock: index)
                #expect(proof.blockIndex == index && proof.leafCount == leafCount)
                #expect(proof.path.count == ShardProof.expectedPathLength(index: index, leafCount: leafCount))
                try proof.verify(leafHash: leaves[index], against: tree.root)
                #expect(throws: ShardProofError.self) { try proof.verify(leafHash: random.hash(), against: tree.root) }
                #expect(throws: ShardProofError.rootMismatch(expected: otherRoot, computed: tree.root)) {
                    try proof.verify(leafHash: leaves[index], against: otherRoot)
                }
                if !proof.path.isEmpty {
                    var truncated = proof
                    truncated.path.removeLast()
                    #expect(
                        throws: ShardProofError.pathLength(expected: proof.path.count, actual: proof.path.count - 1)
                    ) {
                        try truncated.verify(leafHash: leaves[index], against: tree.root)
                    }
                }
                var extended = proof
                extended.path.append(random.hash())
                #expect(throws: ShardProofError.pathLength(expected: proof.path.count, actual: proof.path.count + 1)) {
                    try extended.verify(leafHash: leaves[index], against: tree.root)
                }
                if proof.path.count >= 2 {
                    var reordered = proof
                    reordered.path.swapAt(0, proof.path.count - 1)
                    #expect(throws: ShardProofError.self) {
                        try reordered.verify(leafHash: leaves[index], against: tree.root)
                    }
                }
                for wrong in [index - 1, index + 1] where wrong >= 0 && wrong < leafCount {
                    var moved = proof
                    moved.blockIndex = wrong
                    #expect(throws: ShardProofError.self) {
                        try moved.verify(leafHash: leaves[index], against: tree.root)
                    }
                }
                var outside = proof
                outside.blockIndex = leafCount
                #expect(throws: ShardProofError.indexOutOfRange(index: leafCount, leafCount: leafCount)) {
                    try outside.verify(leafHash: leaves[index], against: tree.root)
                }
            }
        }
    }

    @Test func blockBytesVerifyAgainstTheirLeaf() throws {
        var random = TestRandom(seed: 2)
        let data = random.bytes(5 * 65_536 + 123)
        var builder = ShardTreeBuilder()
        builder.append(data)
        let tree = builder.finish()
        for index in 0..<tree.blockCount {
            let block = Array(data[(index * 65_536)..<min((index + 1) * 65_536, data.count)])
            let proof = tree.proof(forBlock: index)
            try proof.verify(block: block, against: tree.root)
            var changed = block
            changed[block.count / 2] ^= 1
            #expect(throws: ShardProofError.self) { try proof.verify(block: changed, against: tree.root) }
        }
        let tooLarge = [UInt8](repeating: 0, count: 65_537)
        #expect(throws: ShardProofError.blockTooLarge(size: 65_537)) {
            try tree.proof(forBlock: 0).verify(block: tooLarge, against: tree.root)
        }
    }

    @Test func proofJSONUsesProtocolFieldNames() throws {
        let proof = ShardTree(leaves: [.zero, .zero, .zero]).proof(forBlock: 2)
        let json = try JSONCoding.encode(proof)
        #expect(
            json.contains("\"block_index\":2") && json.contains("\"leaf_count\":3") && json.contains("\"path\":[\""))
        #expect(try JSONCoding.decode(ShardProof.self, from: json) == proof)
    }
}
