import Merkle
import PropertyBased
import Testing

@Suite struct ShardTreeTests {
    @Test(arguments: [0, 1, 1000, 65_535, 65_536, 65_537, 131_072, 3 * 65_536 + 1000, 5 * 65_536])
    func rootMatchesReference(length: Int) {
        var random = TestRandom(seed: UInt64(length))
        let data = random.bytes(length)
        var builder = ShardTreeBuilder()
        builder.append(data)
        let tree = builder.finish()
        #expect(tree.root == Reference.shardRoot(data))
        #expect(tree.blockCount == (length + 65_535) / 65_536)
        #expect(builder.blockCount == tree.blockCount && builder.byteCount == length)
    }

    @Test func emptyTreeIsHashOfEmptyString() {
        #expect(
            ShardTreeBuilder().finish().root.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ShardTree(leaves: []).root == ShardTree.emptyRoot)
    }

    /// Bytes arrive from the network in any split; the root must not depend on it.
    @Test func everySplitGivesTheSameRoot() async {
        await propertyCheck(count: 25, input: Gen.int(in: 0...(4 * 65_536 + 3000)), Gen.uint64()) { length, seed in
            var random = TestRandom(seed: seed)
            let data = random.bytes(length)
            var builder = ShardTreeBuilder()
            var offset = 0
            while offset < data.count {
                // Mix tiny chunks, chunks around the block size and large ones.
                let limit = [7, 4096, 65_536 + 17, 200_000][Int.random(in: 0..<4, using: &random)]
                let take = min(Int.random(in: 1...limit, using: &random), data.count - offset)
                data[offset..<(offset + take)].withUnsafeBytes { builder.append($0) }
                offset += take
            }
            let tree = builder.finish()
            #expect(tree.root == Reference.shardRoot(data))
            #expect(builder.byteCount == length)
        }
    }

    @Test func resumingFromKeptLeavesGivesTheSameRoot() {
        var random = TestRandom(seed: 9)
        let data = random.bytes(3 * 65_536 + 500)
        var first = ShardTreeBuilder()
        first.append(data[0..<(2 * 65_536)])
        #expect(first.completedLeaves.count == 2)
        var resumed = ShardTreeBuilder(resumingAfter: first.completedLeaves)
        resumed.append(data[(2 * 65_536)...])
        #expect(resumed.finish().root == Reference.shardRoot(data))
        #expect(resumed.byteCount == data.count)
    }

    @Test func finishLeavesTheBuilderUsable() {
        var random = TestRandom(seed: 4)
        let data = random.bytes(70_000)
        var builder = ShardTreeBuilder()
        builder.append(data[0..<1000])
        #expect(builder.finish().root == Reference.shardRoot(Array(data[0..<1000])))
        builder.append(data[1000...])
        #expect(builder.finish().root == Reference.shardRoot(data))
    }

    @Test func serializedLeavesRoundTrip() throws {
        var random = TestRandom(seed: 5)
        let tree = ShardTree(leaves: (0..<13).map { _ in random.hash() })
        let bytes = tree.serializedLeaves
        #expect(bytes.count == 13 * 32)
        #expect(bytes[32..<64].elementsEqual(tree.leaves[1].bytes))
        let rebuilt = try ShardTree(serializedLeaves: bytes)
        #expect(rebuilt == tree && rebuilt.root == Reference.merkleTreeHash(leafHashes: tree.leaves[...]))
        #expect(throws: ShardProofError.serializedLength(33)) { try ShardTree(serializedLeaves: Array(bytes[0..<33])) }
        #expect(ShardProofError.serializedLength(33).code == "merkle.serialized_length")
    }
}
