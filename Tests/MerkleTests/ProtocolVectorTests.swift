import Foundation
import Merkle
import Testing

/// The test vectors printed in `docs/PROTOCOL.md sections 3–4` (section "Test vectors"); the same hex is
/// written here, so a change to any encoding fails this suite until the document changes too.
@Suite struct ProtocolVectorTests {
    static let shardRoot3Blocks = "28f524cd34e60b40429bea12e911443c8ec4b5e898228a481d663ea6d4ee7896"
    static let shardLeaves3Blocks = [
        "75d3913244a9f7c765bea2770eb800c391c49cc1b62f7ce0ee9c192d1f1b9864",
        "7bfbe74e605f27570de852b4a386d3168029a14b1cbb8709265da136c2c4d1b5",
        "a403e323935e69d1b2d49d5c9f0bdc65fc0b5dddfe2f38e5e11d5ecac1f90408",
        "4ea1f72a524a8791317070571d755f6e33f3f79e3617eada55882dba57341394",
    ]
    static let shardRootZeroBlock = "3266304f31be278d06c3bd3eb9aa3e00c59bedec0a890de466568b0b90b0e01f"

    static let allocationRoot = "1b29af94da7647c30a5a4d55fa8f60339f2929fc1aa2888f9770002ad0288bb3"
    static let fileMetaRoot = "4bd55773e06f03430e1749d206e6959eae844942073908c9b5b2a9a66838a366"
    /// path, key, entryHash, metaHash, leaf hash (allocation trie)
    static let entryHashes = [
        (
            "/a.txt", "54fae40d857b06f54c7c320992e02adf1e21ba8243de5e7511abf115c248d07d",
            "06d195decc6291219288540938a45113b9f30f357c6c3d3c108bcf7b39111c4d",
            "87688022d030d2b9052618496b0132cd8b80698d2b8ffc7d2fb95ddd2d653209",
            "af412779c2002703af381ac1a34159fa8541ea00089a2e0abed55094271e4ab5"
        ),
        (
            "/docs/b.pdf", "8685ae565889c108644f24e44af0b13c79f62035af3f00d94cc2a16abae6814c",
            "a1743a8d069917bbbd75df5bfb3b7dd05b0dcb834df1fdc4de61c2b09f2a5297",
            "27bb52ffc79858d1abdadebd11d064d7f0763b6ce826bc7b4425e5d5cbd3c8f7",
            "e87164377d97bb1cb3a3e43d19767325717c8d366dea0d91771d32ad5fa635f6"
        ),
        (
            "/music/c.mp3", "dd79e056ccd2130822ead6ca4cb31410004c0dd835e519f6ef01368fbefe9de8",
            "98bf7caf78e1a6b4a27a85e23a5aa6353b2d67bd0a9344b7887fdeb8cac46009",
            "10d0964cc8c6c6729e6523f2cea8a32f063e817d6b040e5d44305d5912ffe753",
            "d8abdde125635be83ad3eaf767498e00ac8cdce847bba07ab4e3cf830a35b721"
        ),
    ]
    static let canonicalEntryA =
        "10000000062f612e747874000000000000006454fae40d857b06f54c7c320992e02adf1e21ba8243de5e7511abf115c248d07d"
        + "52b7fb3fe33985feadb7c6db65d58c0911b9055df14318400da759d2d61d204b0000000000000001000000000000018bcfe568"
        + "000000018bcfe56800"
    static let proofJSON =
        #"{"leaf":{"blocks":2,"key":"8685ae565889c108644f24e44af0b13c79f62035af3f00d94cc2a16abae6814c","#
        + #""value_hash":"a1743a8d069917bbbd75df5bfb3b7dd05b0dcb834df1fdc4de61c2b09f2a5297"},"steps":["#
        + #"{"sibling_blocks":1,"sibling_hash":"af412779c2002703af381ac1a34159fa8541ea00089a2e0abed55094271e4ab5","#
        + #""split_bit":0},{"sibling_blocks":12,"#
        + #""sibling_hash":"d8abdde125635be83ad3eaf767498e00ac8cdce847bba07ab4e3cf830a35b721","split_bit":1}]}"#
    static let challengeJSON =
        #"{"block_index":9,"trie_proof":{"leaf":{"blocks":12,"#
        + #""key":"dd79e056ccd2130822ead6ca4cb31410004c0dd835e519f6ef01368fbefe9de8","#
        + #""value_hash":"98bf7caf78e1a6b4a27a85e23a5aa6353b2d67bd0a9344b7887fdeb8cac46009"},"steps":["#
        + #"{"sibling_blocks":1,"sibling_hash":"af412779c2002703af381ac1a34159fa8541ea00089a2e0abed55094271e4ab5","#
        + #""split_bit":0},{"sibling_blocks":2,"#
        + #""sibling_hash":"e87164377d97bb1cb3a3e43d19767325717c8d366dea0d91771d32ad5fa635f6","split_bit":1}]}}"#

    static let entries: [FileEntry] = [
        ("/a.txt", 100, 1), ("/docs/b.pdf", 200_000, 2), ("/music/c.mp3", 3_000_000, 12),
    ]
    .map { (path: String, size: Int64, blocks: UInt64) in
        FileEntry(
            path: path, size: size, contentHash: SHA256.hash(Array(path.utf8)),
            shardRoot: SHA256.hash(Array("shard:\(path)".utf8)), blockCount: blocks, encryption: [],
            createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000)
    }

    /// The document and this file must not drift apart: every constant above appears in the document.
    @Test func documentHoldsTheVectors() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../docs/PROTOCOL.md")
        let text = try String(contentsOf: url, encoding: .utf8).filter { !$0.isWhitespace }
        var constants = [
            ProtocolVectorTests.shardRoot3Blocks, ProtocolVectorTests.shardRootZeroBlock,
            ProtocolVectorTests.allocationRoot, ProtocolVectorTests.fileMetaRoot, ProtocolVectorTests.canonicalEntryA,
            ProtocolVectorTests.proofJSON, ProtocolVectorTests.challengeJSON,
        ]
        constants += ProtocolVectorTests.shardLeaves3Blocks
        constants += ProtocolVectorTests.entryHashes.flatMap { [$0.1, $0.2, $0.3, $0.4] }
        for constant in constants {
            let found = text.contains(constant)  // a Bool, so a failure does not print the whole document
            #expect(found, "\(constant.prefix(40))… missing from the document")
        }
    }

    @Test func shardTreeVectors() {
        var builder = ShardTreeBuilder()
        builder.append((0..<(3 * 65_536 + 1000)).map { UInt8($0 % 251) })
        let tree = builder.finish()
        #expect(tree.root.hex == ProtocolVectorTests.shardRoot3Blocks)
        #expect(tree.leaves.map(\.hex) == ProtocolVectorTests.shardLeaves3Blocks)
        var zeros = ShardTreeBuilder()
        zeros.append([UInt8](repeating: 0, count: 65_536))
        #expect(zeros.finish().root.hex == ProtocolVectorTests.shardRootZeroBlock)
    }

    @Test func allocationTrieVectors() throws {
        let entries = ProtocolVectorTests.entries
        for (entry, expected) in zip(entries, ProtocolVectorTests.entryHashes) {
            #expect(entry.path == expected.0)
            #expect(entry.key.hex == expected.1)
            #expect(entry.entryHash.hex == expected.2)
            #expect(entry.metaHash.hex == expected.3)
            #expect(entry.trieLeaf(for: .allocation).hash.hex == expected.4)
        }
        #expect(Hex.encode(entries[0].canonicalBytes(includingShardRoot: true)) == ProtocolVectorTests.canonicalEntryA)
        let trie = AllocationTrie(entries: entries)
        #expect(trie.root.hex == ProtocolVectorTests.allocationRoot)
        #expect(trie.totalBlocks == 15)
        #expect(AllocationTrie(kind: .fileMeta, entries: entries).root.hex == ProtocolVectorTests.fileMetaRoot)

        let proof = trie.proof(forPath: "/docs/b.pdf")
        #expect(try JSONCoding.encode(proof) == ProtocolVectorTests.proofJSON)
        let decoded = try JSONCoding.decode(TrieProof.self, from: ProtocolVectorTests.proofJSON)
        try decoded.verifyInclusion(
            key: entries[1].key, valueHash: entries[1].entryHash, blocks: 2,
            root: try #require(Hash(hex: ProtocolVectorTests.allocationRoot)))
    }

    @Test func challengeVector() throws {
        let trie = AllocationTrie(entries: ProtocolVectorTests.entries)
        let seed = SHA256.hash(Array("seed".utf8))
        #expect(seed.leadingUInt64 % 15 == 12)
        let answer = try #require(trie.challengeProof(seed: seed))
        #expect(answer.trieProof.leaf?.key == FileEntry.key(forPath: "/music/c.mp3"))
        #expect(answer.blockIndex == 9)
        #expect(try JSONCoding.encode(answer) == ProtocolVectorTests.challengeJSON)
        try JSONCoding.decode(ChallengeProof.self, from: ProtocolVectorTests.challengeJSON).verify(
            seed: seed, root: trie.root)
    }
}
