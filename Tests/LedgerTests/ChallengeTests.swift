import Foundation
import Ledger
import Merkle
import StorageProtocol
import Testing

@Suite struct ChallengeTests {
    struct Setup {
        let network: TestNetwork
        let owner: SigningKey
        let blobbers: [SigningKey]
        let allocation: AllocationID
        let stored: WriteMarker

        /// Only blobber 1 stores data, so every challenge falls on it.
        init() async throws {
            network = try TestNetwork()
            owner = TestNetwork.key("owner")
            blobbers = try await network.registerBlobbers(3, stake: 1_000_000)
            try await network.fund(owner, 10_000_000)
            allocation = try await network.createAllocation(
                owner: owner, blobbers: blobbers, dataShards: 2, size: 3 << 20, writePool: 5_000_000)
            let markers = network.chain(owner: owner, allocation: allocation, blobber: blobbers[1], sizes: [65_536 * 3])
            try await network.submitChain(markers, allocation: allocation, by: blobbers[1])
            stored = markers[0]
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
        ChallengeResponsePayload(challengeID: id, block: "")
    }
}
