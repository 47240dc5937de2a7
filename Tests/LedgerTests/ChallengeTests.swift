import Foundation
import Ledger
import Merkle
import StorageProtocol
import TestProcesses
import Testing

@Suite struct ChallengeTests {
    struct Setup {
        let network: TestNetwork
        let owner: SigningKey
        let blobbers: [SigningKey]
        let allocation: AllocationID
        let stored: WriteMarker
        let store: BlobberStore

        /// Only blobber 1 stores data (two files, five 64 KiB blocks), so every challenge falls on it.
        init() async throws {
            network = try TestNetwork()
            owner = TestNetwork.key("owner")
            blobbers = try await network.registerBlobbers(3, stake: 1_000_000)
            try await network.fund(owner, 10_000_000)
            allocation = try await network.createAllocation(
                owner: owner, blobbers: blobbers, dataShards: 2, size: 3 << 20, writePool: 5_000_000)
            store = BlobberStore(files: ["/a.bin": 3, "/docs/b.txt": 2])
            let blobber = blobbers[1]
            let root = store.trie.root
            stored = WriteMarker(
                allocationID: allocation, blobberID: blobber.publicKey.blobberID, clientID: owner.publicKey.clientID,
                sequence: 1, allocationRoot: root, previousAllocationRoot: .zero, fileMetaRoot: .zero,
                size: 5 * 65_536, chainSize: 5 * 65_536, chainHash: WriteMarker.chainHash(previous: nil, root: root),
                timestamp: network.time.value
            ).signed(with: owner)
            try await network.submitChain([stored], allocation: allocation, by: blobber)
        }

        func issue() async throws -> ChallengeRecord {
            let block = try #require(try await network.ledger.sealBlock())
            let receipt = try #require(try await network.ledger.issueChallenge())
            let id = try #require(receipt.result.challengeID)
            let challenge = try #require(try await network.ledger.challenges().first { $0.id == id })
            #expect(challenge.seed == ChallengeSelectionProbe.seed(block.hash))
            return challenge
        }
    }

    @Test func aChallengeFallsOnStoredBytesWithTheLatestRoot() async throws {
        let setup = try await Setup()
        let challenge = try await setup.issue()
        #expect(challenge.blobberID == setup.blobbers[1].publicKey.blobberID)
        #expect(challenge.allocationID == setup.allocation)
        #expect(challenge.root == setup.stored.allocationRoot)
        #expect(challenge.status == .open)
        #expect(challenge.deadline == challenge.issuedAt + setup.network.ledger.rules.challengeTimeout)
        let open = try await setup.network.ledger.challenges(blobber: setup.blobbers[1].publicKey.blobberID, status: .open)
        #expect(open.map(\.id) == [challenge.id])
        // One challenge per sealed block.
        #expect(try await setup.network.ledger.issueChallenge() == nil)
    }

    @Test func aCorrectAnswerPassesAndReleasesHalfTheChallengePool() async throws {
        let setup = try await Setup()
        let network = setup.network
        let blobber = setup.blobbers[1]
        let challenge = try await setup.issue()
        let pool = try #require(
            try await network.ledger.allocation(setup.allocation).blobbers.first { $0.blobberID == blobber.publicKey.blobberID }
        ).challengePool
        #expect(pool == 5 * 65_536 / 2)
        let balance = try await network.ledger.balance(of: blobber.id)
        let receipt = try await network.submit(.challengeResponse, setup.store.answer(challenge), by: blobber)
        #expect(receipt.result.passed == true, "\(receipt.result)")
        #expect(receipt.result.released == pool / 2)
        #expect(try await network.ledger.balance(of: blobber.id) == balance + pool / 2)
        #expect(try await network.ledger.blobber(blobber.publicKey.blobberID).stake == 1_000_000)
        #expect(try await network.ledger.challenges(status: .passed).map(\.id) == [challenge.id])
        // Answered once: a second answer is refused.
        try await expectRefusal("ledger.challenge_closed", in: network) {
            try await network.submit(.challengeResponse, setup.store.answer(challenge), by: blobber)
        }
        try await network.expectConserved()
        _ = try LedgerVerifier.verify(network.ledger.database)
    }

    @Test(arguments: ["block", "block_proof", "trie_proof", "entry"])
    func aWrongAnswerFailsAndSlashes(part: String) async throws {
        let setup = try await Setup()
        let network = setup.network
        let blobber = setup.blobbers[1]
        let challenge = try await setup.issue()
        var answer = setup.store.answer(challenge)
        switch part {
        case "block": answer.block[100] ^= 1
        case "block_proof": answer.blockProof.path[0] = SHA256.hash([1])
        case "trie_proof": answer.trieProof.blockIndex = (answer.trieProof.blockIndex + 1) % answer.entry.blockCount
        default: answer.entry.size += 1
        }
        let ownerBefore = try await network.ledger.balance(of: setup.owner.id)
        let receipt = try await network.submit(.challengeResponse, answer, by: blobber)
        #expect(receipt.result.passed == false)
        #expect(receipt.result.slashed == 100_000)
        #expect(receipt.result.reason?.isEmpty == false)
        let expected = [
            "block": "merkle.proof_root_mismatch", "block_proof": "merkle.proof_root_mismatch",
            "trie_proof": "merkle.challenge_wrong_block", "entry": "merkle.challenge_entry_mismatch",
        ]
        #expect(receipt.result.reason == expected[part])
        #expect(try await network.ledger.blobber(blobber.publicKey.blobberID).stake == 900_000)
        #expect(try await network.ledger.balance(of: setup.owner.id) == ownerBefore + 100_000)
        #expect(try await network.ledger.challenges(status: .failed).map(\.id) == [challenge.id])
        try await network.expectConserved()
        _ = try LedgerVerifier.verify(network.ledger.database)
    }

    @Test func noChallengeWithoutStoredData() async throws {
        let network = try TestNetwork()
        try await network.fund(TestNetwork.key("x"), 1)
        try await network.ledger.sealBlock()
        #expect(try await network.ledger.issueChallenge() == nil)
    }

    @Test func anUnansweredChallengeTimesOutAndSlashesTenPercentToTheOwner() async throws {
        let setup = try await Setup()
        let network = setup.network
        let challenge = try await setup.issue()
        #expect(try await network.ledger.expireChallenges().isEmpty, "timed out before the deadline")
        let ownerBefore = try await network.ledger.balance(of: setup.owner.id)
        network.time.advance(by: network.ledger.rules.challengeTimeout + 1)
        let receipts = try await network.ledger.expireChallenges()
        #expect(receipts.count == 1)
        #expect(receipts.first?.result.slashed == 100_000)
        #expect(try await network.ledger.blobber(setup.blobbers[1].publicKey.blobberID).stake == 900_000)
        #expect(try await network.ledger.balance(of: setup.owner.id) == ownerBefore + 100_000)
        #expect(try await network.ledger.challenges(status: .timeout).map(\.id) == [challenge.id])
        #expect(try await network.ledger.expireChallenges().isEmpty, "timed out twice")
        try await network.expectConserved()
        _ = try LedgerVerifier.verify(network.ledger.database)
    }

    @Test func onlyTheChallengedBlobberMayAnswer() async throws {
        let setup = try await Setup()
        let network = setup.network
        let challenge = try await setup.issue()
        try await expectRefusal("ledger.not_challenged_blobber", in: network) {
            try await network.submit(
                .challengeResponse, ChallengeResponsePayload.probe(challenge.id), by: setup.blobbers[0])
        }
        try await expectRefusal("ledger.unknown_challenge", in: network) {
            try await network.submit(.challengeResponse, ChallengeResponsePayload.probe(.zero), by: setup.blobbers[1])
        }
    }
}

extension ChallengeResponsePayload {
    /// An answer that proves nothing.
    static func probe(_ id: Hash) -> ChallengeResponsePayload {
        ChallengeResponsePayload(
            challengeID: id,
            entry: FileEntry(path: "/x", size: 0, contentHash: .zero, shardRoot: .zero, blockCount: 0, createdAt: 0, updatedAt: 0),
            block: [], blockProof: ShardProof(blockIndex: 0, leafCount: 0, path: []),
            trieProof: ChallengeProof(trieProof: TrieProof(steps: [], leaf: nil), blockIndex: 0))
    }
}

/// What a blobber keeps for the tests: files cut into 64 KiB blocks, their shard trees and the trie.
struct BlobberStore {
    var blocks: [String: [[UInt8]]] = [:]
    var trees: [String: ShardTree] = [:]
    var entries: [String: FileEntry] = [:]
    var trie = AllocationTrie()

    init(files: [String: Int]) {
        for (path, count) in files.sorted(by: { $0.key < $1.key }) {
            let fileBlocks = (0..<count).map { index in
                (0..<ShardTree.blockSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index &+ path.utf8.count) }
            }
            let tree = ShardTree(leaves: fileBlocks.map { ShardTree.leafHash($0) })
            let entry = FileEntry(
                path: path, size: Int64(count * ShardTree.blockSize), contentHash: SHA256.hash(Array(path.utf8)),
                shardRoot: tree.root, blockCount: UInt64(count), createdAt: 1, updatedAt: 1)
            blocks[path] = fileBlocks
            trees[path] = tree
            entries[path] = entry
            trie.set(entry)
        }
    }

    /// The honest answer to `challenge`.
    func answer(_ challenge: ChallengeRecord) -> ChallengeResponsePayload {
        let proof = trie.challengeProof(seed: challenge.seed)!
        let leaf = proof.trieProof.leaf!
        let entry = entries.values.first { $0.key == leaf.key }!
        let index = Int(proof.blockIndex)
        return ChallengeResponsePayload(
            challengeID: challenge.id, entry: entry, block: blocks[entry.path]![index],
            blockProof: trees[entry.path]!.proof(forBlock: index), trieProof: proof)
    }
}
