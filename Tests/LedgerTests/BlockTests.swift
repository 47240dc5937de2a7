import Foundation
import Ledger
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// The block test vector of docs/PROTOCOL.md section 7 ("Blocks"), computed independently.
@Suite struct BlockTests {
    static func h(_ text: String) -> Hash { SHA256.hash(Array(text.utf8)) }
    static let txs = (0..<5).map { h("tx\($0)") }

    @Test func transactionRootIsRFC6962() {
        #expect(Block.txRoot([]).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Block.txRoot([BlockTests.txs[0]]).hex == "5e0bee3b0a2e783a0e43a5b93c5d769ad07969cb6213d009763153f07134fca3")
        #expect(Block.txRoot(BlockTests.txs).hex == "2a93a1df25ab1da8500ec53ae9a3e90a41d55a410a4f2cb50a0ba2d8d5b626bb")
    }

    @Test func blockHashStateRootAndSeedVector() {
        let state = Block.stateRoot(previous: BlockTests.h("genesis-state"), effects: [BlockTests.h("effects-0"), BlockTests.h("effects-1")])
        #expect(state.hex == "00997667d889f33dda9e0d1a8a574d339cdbf50bcc0555aeb7a1bfef7fb06c9b")
        let hash = Block.hash(
            height: 1, previousHash: BlockTests.h("prev"), txRoot: Block.txRoot(BlockTests.txs), stateRoot: state,
            timestamp: 1_700_000_000_000, txCount: 5)
        #expect(hash.hex == "04d3ff673d963f5b94200b7452b0b677346d87ff4e1bd67b923c191ae25a89aa")
        #expect(ChallengeSelectionProbe.seed(hash).hex == "fe522c6a080851876ddad3dcbbb843bd13fc2af989c6048593473519118e070c")
    }

    @Test func sealedBlocksChainAndAreSignedByTheLedgerKey() async throws {
        let network = try TestNetwork()
        try await network.fund(TestNetwork.key("a"), 10)
        try await network.fund(TestNetwork.key("b"), 20)
        let one = try #require(try await network.ledger.sealBlock())
        #expect(try await network.ledger.sealBlock() == nil, "an empty block sealed without allowEmpty")
        let two = try #require(try await network.ledger.sealBlock(allowEmpty: true))
        let genesis = try await network.ledger.block(height: 0)
        #expect(one.height == 1 && one.txCount == 2 && one.previousHash == genesis.hash)
        #expect(two.height == 2 && two.txCount == 0 && two.previousHash == one.hash)
        #expect(two.txRoot == Block.txRoot([]))
        #expect(two.stateRoot == Block.stateRoot(previous: one.stateRoot, effects: []))
        for block in [genesis, one, two] {
            #expect(block.computedHash == block.hash)
            #expect(network.ledgerKey.publicKey.isValidSignature(block.signature, over: block.hash))
        }
        #expect(genesis.stateRoot == Block.genesisStateRoot(ledgerKey: network.ledgerKey.publicKey, rules: network.ledger.rules))
    }
}

/// The seed formula of docs/PROTOCOL.md section 7: `SHA-256(0x42 ‖ block hash)`.
enum ChallengeSelectionProbe {
    static func seed(_ block: Hash) -> Hash {
        var hasher = SHA256()
        hasher.update(byte: 0x42)
        hasher.update(hash: block)
        return hasher.finalize()
    }
}
