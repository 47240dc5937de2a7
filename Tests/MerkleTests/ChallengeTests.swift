import Merkle
import PropertyBased
import TestProcesses
import Testing

@Suite struct ChallengeTests {
    /// A seed whose first eight bytes are `r`.
    static func seed(selecting r: UInt64) -> Hash {
        Hash(bytes: Reference.be64(r) + [UInt8](repeating: 0xEE, count: 24))!
    }

    /// Every `r` in `0..<totalBlocks` selects a distinct (file, block), in key order: selection is
    /// exactly weighted by blocks, and every answer verifies.
    @Test func selectionEnumeratesEveryBlockOnce() throws {
        var random = TestRandom(seed: 31)
        let leaves = (0..<25).map { _ in TrieLeaf.random(using: &random, maxBlocks: 6) }
        let trie = AllocationTrie(leaves: leaves)
        var selected = [(Hash, UInt64)]()
        for r in 0..<trie.totalBlocks {
            let seed = ChallengeTests.seed(selecting: r)
            let proof = try #require(trie.challengeProof(seed: seed))
            let leaf = try proof.verify(seed: seed, root: trie.root)
            #expect(leaf == proof.trieProof.leaf)
            selected.append((leaf.key, proof.blockIndex))
        }
        let expected = leaves.sorted { $0.key < $1.key }.flatMap { leaf in (0..<leaf.blocks).map { (leaf.key, $0) } }
        #expect(selected.map(\.0) == expected.map(\.0) && selected.map(\.1) == expected.map(\.1))
    }

    /// Hashed seeds pick files in proportion to their blocks (fixed seeds, so deterministic).
    @Test func hashedSeedsAreWeightedByBlocks() throws {
        let blocks: [UInt64] = [1, 4, 10, 25, 60]
        let leaves = blocks.enumerated().map { index, count in
            TrieLeaf(key: SHA256.hash(Array("file\(index)".utf8)), valueHash: .zero, blocks: count)
        }
        let trie = AllocationTrie(leaves: leaves)
        var hits = [Hash: Int]()
        let draws = 20_000
        for i in 0..<draws {
            let proof = try #require(trie.challengeProof(seed: SHA256.hash(Array("seed\(i)".utf8))))
            let leaf = try #require(proof.trieProof.leaf)
            #expect(proof.blockIndex < leaf.blocks)
            hits[leaf.key, default: 0] += 1
        }
        for leaf in leaves {
            let expected = Double(draws) * Double(leaf.blocks) / 100
            let observed = Double(hits[leaf.key] ?? 0)
            // Five standard deviations of a binomial count: loose, but a uniform pick would fail it.
            let sigma = (expected * (1 - Double(leaf.blocks) / 100)).squareRoot()
            #expect(abs(observed - expected) < 5 * sigma + 1, "\(leaf.blocks) blocks: \(observed) vs \(expected)")
        }
    }

    @Test func emptyOrBlocklessTrieHasNoChallenge() throws {
        #expect(AllocationTrie().challengeProof(seed: .zero) == nil)
        let zero = AllocationTrie(leaves: [TrieLeaf(key: .zero, valueHash: .zero, blocks: 0)])
        #expect(zero.challengeProof(seed: .zero) == nil)
        let answer = ChallengeProof(trieProof: zero.proof(for: .zero), blockIndex: 0)
        #expect(throws: ChallengeError.noBlocks) { try answer.verify(seed: .zero, root: zero.root) }
    }

    @Test func tamperedAnswersFail() async {
        await propertyCheck(count: 60, input: Gen.int(in: 2...200), Gen.uint64()) { size, seed in
            recordingErrors {
                var random = TestRandom(seed: seed)
                let leaves = (0..<size).map { _ in TrieLeaf.random(using: &random, maxBlocks: 20) }
                let trie = AllocationTrie(leaves: leaves)
                let challenge = random.hash()
                guard let answer = trie.challengeProof(seed: challenge) else { return }
                let leaf = try answer.verify(seed: challenge, root: trie.root)

                // Another file, answered honestly from its own walk.
                if let other = leaves.first(where: { $0.key != leaf.key && $0.blocks > 0 }) {
                    let forged = ChallengeProof(trieProof: trie.proof(for: other.key), blockIndex: 0)
                    #expect(throws: ChallengeError.self) { try forged.verify(seed: challenge, root: trie.root) }
                }
                // Another block of the right file.
                var moved = answer
                moved.blockIndex = (answer.blockIndex + 1) % max(leaf.blocks, 2)
                if moved.blockIndex != answer.blockIndex {
                    #expect(
                        throws: ChallengeError.wrongBlockIndex(expected: answer.blockIndex, claimed: moved.blockIndex)
                    ) {
                        try moved.verify(seed: challenge, root: trie.root)
                    }
                }
                // Changed totals break the root.
                if !answer.trieProof.steps.isEmpty {
                    var reweighted = answer
                    let step = Int.random(in: 0..<answer.trieProof.steps.count, using: &random)
                    reweighted.trieProof.steps[step].siblingBlocks += 1000
                    #expect(throws: ChallengeError.self) { try reweighted.verify(seed: challenge, root: trie.root) }
                }
                // Another root, and a seed that selects a different block.
                #expect(throws: ChallengeError.self) { try answer.verify(seed: challenge, root: random.hash()) }
                let otherSeed = random.hash()
                if trie.challengeProof(seed: otherSeed) != answer {
                    #expect(throws: ChallengeError.self) { try answer.verify(seed: otherSeed, root: trie.root) }
                }
            }
        }
    }

    /// The ledger's full check: path, entry, block bytes and block proof.
    @Test func fullAnswerVerifiesAndEachPartIsChecked() throws {
        var random = TestRandom(seed: 33)
        var shards = [String: [UInt8]]()
        var entries = [FileEntry]()
        for index in 0..<6 {
            let path = "/f\(index)"
            let data = random.bytes((index + 1) * 65_536)
            var builder = ShardTreeBuilder()
            builder.append(data)
            shards[path] = data
            entries.append(
                FileEntry(
                    path: path, size: Int64(data.count), contentHash: SHA256.hash(data),
                    shardRoot: builder.finish().root,
                    blockCount: UInt64(builder.blockCount), createdAt: 1, updatedAt: 1))
        }
        let trie = AllocationTrie(entries: entries)
        for attempt in 0..<12 {
            let seed = SHA256.hash(Array("challenge\(attempt)".utf8))
            let answer = try #require(trie.challengeProof(seed: seed))
            let entry = try #require(entries.first { $0.key == answer.trieProof.leaf?.key })
            let data = shards[entry.path]!
            var builder = ShardTreeBuilder()
            builder.append(data)
            let tree = builder.finish()
            let index = Int(answer.blockIndex)
            let block = Array(data[(index * 65_536)..<((index + 1) * 65_536)])
            let blockProof = tree.proof(forBlock: index)
            try answer.verify(seed: seed, allocationRoot: trie.root, entry: entry, block: block, blockProof: blockProof)

            var otherPath = entry
            otherPath.path = "/elsewhere"
            #expect(throws: ChallengeError.pathMismatch(path: "/elsewhere")) {
                try answer.verify(
                    seed: seed, allocationRoot: trie.root, entry: otherPath, block: block, blockProof: blockProof)
            }
            var changedEntry = entry
            changedEntry.updatedAt += 1
            #expect(throws: ChallengeError.entryMismatch(path: entry.path)) {
                try answer.verify(
                    seed: seed, allocationRoot: trie.root, entry: changedEntry, block: block, blockProof: blockProof)
            }
            var changedBlock = block
            changedBlock[0] ^= 1
            #expect(throws: ChallengeError.self) {
                try answer.verify(
                    seed: seed, allocationRoot: trie.root, entry: entry, block: changedBlock, blockProof: blockProof)
            }
            if tree.blockCount > 1 {
                let otherIndex = (index + 1) % tree.blockCount
                let otherBlock = Array(data[(otherIndex * 65_536)..<((otherIndex + 1) * 65_536)])
                #expect(
                    throws: ChallengeError.blockProofMismatch(expectedIndex: answer.blockIndex, proofIndex: otherIndex)
                ) {
                    try answer.verify(
                        seed: seed, allocationRoot: trie.root, entry: entry, block: otherBlock,
                        blockProof: tree.proof(forBlock: otherIndex))
                }
            }
            #expect(throws: ChallengeError.trie(.rootMismatch(expected: .zero, computed: trie.root))) {
                try answer.verify(seed: seed, allocationRoot: .zero, entry: entry, block: block, blockProof: blockProof)
            }
        }
    }

    @Test func errorCodesAreStable() {
        #expect(ChallengeError.noBlocks.code == "merkle.challenge_no_blocks")
        #expect(
            ChallengeError.trie(.rootMismatch(expected: .zero, computed: .zero)).code == "merkle.trie_root_mismatch")
        #expect(
            ChallengeError.block(.rootMismatch(expected: .zero, computed: .zero)).code == "merkle.proof_root_mismatch")
        #expect(ChallengeError.wrongLeaf(splitBit: 3).description.contains("split bit 3"))
    }
}
