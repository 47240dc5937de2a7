import Foundation
import Ledger
import Merkle
import StorageProtocol
import TestProcesses
import Testing

@Suite struct ChainTests {
    /// One owner, three blobbers (2+1), a 3 MiB allocation: 1.5 MiB per blobber at 1 unit per byte.
    struct Setup {
        let network: TestNetwork
        let owner: SigningKey
        let blobbers: [SigningKey]
        let allocation: AllocationID

        init() async throws {
            network = try TestNetwork()
            owner = TestNetwork.key("owner")
            blobbers = try await network.registerBlobbers(3)
            try await network.fund(owner, 10_000_000)
            allocation = try await network.createAllocation(
                owner: owner, blobbers: blobbers, dataShards: 2, size: 3 << 20, writePool: 5_000_000)
        }
    }

    @Test func createAllocationLocksThePoolAndReservesCapacity() async throws {
        let setup = try await Setup()
        let view = try await setup.network.ledger.allocation(setup.allocation)
        #expect(view.allocation.shardSize == 3 << 19)
        #expect(view.allocation.writePool == 5_000_000)
        #expect(view.blobbers.map(\.shardIndex) == [0, 1, 2])
        #expect(try await setup.network.ledger.balance(of: setup.owner.id) == 5_000_000)
        for blobber in setup.blobbers {
            #expect(try await setup.network.ledger.blobber(blobber.publicKey.blobberID).used == 3 << 19)
        }
        try await setup.network.expectConserved()
    }

    @Test func acceptedBytesArePaidHalfNowHalfIntoTheChallengePool() async throws {
        let setup = try await Setup()
        let blobber = setup.blobbers[0]
        let markers = setup.network.chain(
            owner: setup.owner, allocation: setup.allocation, blobber: blobber, sizes: [1000, 2000, 3001])
        let receipt = try await setup.network.submitChain(markers, allocation: setup.allocation, by: blobber)
        #expect(receipt.status == .applied)
        #expect(receipt.result.markersAccepted == 3)
        #expect(receipt.result.paid == 3000)
        #expect(receipt.result.pooled == 3001)
        #expect(try await setup.network.ledger.balance(of: blobber.id) == 3000)
        let view = try await setup.network.ledger.allocation(setup.allocation)
        #expect(view.allocation.writePool == 5_000_000 - 6001)
        let record = try #require(view.blobbers.first { $0.blobberID == blobber.publicKey.blobberID })
        #expect(record.challengePool == 3001)
        #expect(record.highWater == 6001)
        #expect(record.head == markers.last!.head)
        try await setup.network.expectConserved()
    }

    @Test func theSameChainIsAcceptedOnceAndPaidOnce() async throws {
        let setup = try await Setup()
        let network = setup.network
        let blobber = setup.blobbers[1]
        let markers = network.chain(
            owner: setup.owner, allocation: setup.allocation, blobber: blobber, sizes: [4000, 4000])
        let tx = network.transaction(
            .submitChain, SubmitChainPayload(allocationID: setup.allocation, markers: markers), by: blobber)
        let first = try await network.ledger.submit(tx)
        let again = try await network.ledger.submit(tx)
        #expect(first.status == .applied)
        #expect(again.status == .duplicate)
        #expect(again.hash == first.hash)
        #expect(again.result == first.result)
        // The same markers in a new transaction: nothing new, refused, nothing paid.
        try await expectRefusal("ledger.chain_already_accepted", in: network) {
            try await network.submitChain(markers, allocation: setup.allocation, by: blobber)
        }
        // An overlapping chain: the accepted prefix is skipped and only the growth is paid.
        let more = network.chain(
            owner: setup.owner, allocation: setup.allocation, blobber: blobber, from: markers.last!.head, sizes: [2000])
        let overlap = try await network.submitChain(markers + more, allocation: setup.allocation, by: blobber)
        #expect(overlap.result.markersSkipped == 2)
        #expect(overlap.result.markersAccepted == 1)
        #expect((overlap.result.paid ?? 0) + (overlap.result.pooled ?? 0) == 2000)
        #expect(try await network.ledger.balance(of: blobber.id) == 4000 + 1000)
        try await network.expectConserved()
    }

    @Test func rollbackMarkersAreAcceptedAndNotPaidTwice() async throws {
        let setup = try await Setup()
        let network = setup.network
        let blobber = setup.blobbers[2]
        let first = network.chain(owner: setup.owner, allocation: setup.allocation, blobber: blobber, sizes: [10_000])
        try await network.submitChain(first, allocation: setup.allocation, by: blobber)
        // Commit +5000, then roll it back to the root before it.
        let commit = network.chain(
            owner: setup.owner, allocation: setup.allocation, blobber: blobber, from: first[0].head, sizes: [5000],
            tag: "commit")
        let previous = first[0]
        let rollbackRoot = previous.allocationRoot
        let rollback = WriteMarker(
            allocationID: setup.allocation, blobberID: blobber.publicKey.blobberID,
            clientID: setup.owner.publicKey.clientID, sequence: 3, allocationRoot: rollbackRoot,
            previousAllocationRoot: commit[0].allocationRoot, fileMetaRoot: previous.fileMetaRoot, size: -5000,
            chainSize: 10_000, chainHash: WriteMarker.chainHash(previous: commit[0].chainHash, root: rollbackRoot),
            timestamp: network.time.value
        ).signed(with: setup.owner)
        let receipt = try await network.submitChain(commit + [rollback], allocation: setup.allocation, by: blobber)
        #expect(receipt.result.markersAccepted == 2)
        #expect(receipt.result.sequence == 3)
        let head = try await network.head(setup.allocation, blobber)
        #expect(head.allocationRoot == rollbackRoot)
        #expect(head.chainSize == 10_000)
        // High water went 10,000 → 15,000: 15,000 paid in all, even though 10,000 is stored now.
        let record = try #require(
            try await network.ledger.allocation(setup.allocation).blobbers.first {
                $0.blobberID == blobber.publicKey.blobberID
            })
        #expect(record.paid == 15_000)
        #expect(record.highWater == 15_000)
        // Growing back to 12,000 pays nothing: still below the high water.
        let regrow = network.chain(
            owner: setup.owner, allocation: setup.allocation, blobber: blobber, from: head, sizes: [2000], tag: "regrow")
        let regrown = try await network.submitChain(regrow, allocation: setup.allocation, by: blobber)
        #expect(regrown.result.paid == 0)
        #expect(regrown.result.pooled == 0)
        try await network.expectConserved()
    }

    /// Every refusal of the issue's "Bad input" list that concerns chains, with the state unchanged.
    @Test(arguments: [
        "marker.bad_signature", "marker.wrong_blobber", "marker.sequence_gap", "marker.wrong_previous_root",
        "marker.bad_chain_hash", "marker.chain_size_overflow", "marker.capacity_exceeded",
        "marker.negative_chain_size", "marker.timestamp_outside_allocation", "marker.wrong_allocation",
        "marker.wrong_client", "ledger.chain_conflict", "ledger.not_allocation_blobber",
    ])
    func badChainsAreRefusedWithNothingWritten(code: String) async throws {
        let setup = try await Setup()
        let network = setup.network
        let blobber = setup.blobbers[0]
        let accepted = network.chain(owner: setup.owner, allocation: setup.allocation, blobber: blobber, sizes: [1000])
        try await network.submitChain(accepted, allocation: setup.allocation, by: blobber)
        let head = accepted[0].head
        var markers = network.chain(
            owner: setup.owner, allocation: setup.allocation, blobber: blobber, from: head, sizes: [100, 100, 100],
            tag: "next")
        var submitter = blobber
        let bad = 1
        func resign(_ marker: inout WriteMarker) { marker.sign(with: setup.owner) }
        switch code {
        case "marker.bad_signature":
            markers[bad].signature = TestNetwork.key("forger").signature(over: markers[bad].hash)
        case "marker.wrong_blobber":
            markers[bad].blobberID = setup.blobbers[1].publicKey.blobberID
            resign(&markers[bad])
        case "marker.sequence_gap":
            markers[bad].sequence += 1
            resign(&markers[bad])
        case "marker.wrong_previous_root":
            markers[bad].previousAllocationRoot = SHA256.hash([9])
            resign(&markers[bad])
        case "marker.bad_chain_hash":
            markers[bad].chainHash = SHA256.hash([7])
            resign(&markers[bad])
        case "marker.chain_size_overflow":
            markers[bad].size = .max
            resign(&markers[bad])
        case "marker.capacity_exceeded":
            let big = Int64(3 << 19)
            markers[bad].size = big
            markers[bad].chainSize = markers[bad - 1].chainSize + UInt64(big)
            resign(&markers[bad])
        case "marker.negative_chain_size":
            markers[bad].size = -1_000_000
            resign(&markers[bad])
        case "marker.timestamp_outside_allocation":
            markers[bad].timestamp = network.time.value + 10 * 3_600_000
            resign(&markers[bad])
        case "marker.wrong_allocation":
            markers[bad].allocationID = AllocationID(SHA256.hash([1]))
            resign(&markers[bad])
        case "marker.wrong_client":
            markers[bad].clientID = TestNetwork.key("someone").publicKey.clientID
            markers[bad].signature = TestNetwork.key("someone").signature(over: markers[bad].hash)
        case "ledger.chain_conflict":
            // A different marker at the already accepted sequence 1.
            markers = network.chain(
                owner: setup.owner, allocation: setup.allocation, blobber: blobber, sizes: [1000], tag: "fork")
        case "ledger.not_allocation_blobber":
            submitter = TestNetwork.key("outsider")
        default:
            Issue.record("no case for \(code)")
        }
        let expectedIndex = code.hasPrefix("marker.") ? bad : nil
        let before = try await network.ledger.stateDump()
        do {
            try await network.submitChain(markers, allocation: setup.allocation, by: submitter)
            Issue.record("accepted a chain that should fail with \(code)")
        } catch {
            #expect(error.code == code, "\(error)")
            #expect(error.markerIndex == expectedIndex)
        }
        #expect(try await network.ledger.stateDump() == before)
        #expect(try await network.head(setup.allocation, blobber) == head)
    }

    /// Long chains have their signatures checked on every core before the write lock: a forged marker deep
    /// in one is still named by its index with nothing written, a resubmission with an accepted prefix
    /// and a chain signed by the wrong key take the same path, and a good chain is accepted whole.
    @Test func longChainsAreCheckedInParallelWithTheSameAnswers() async throws {
        let setup = try await Setup()
        let network = setup.network
        let blobber = setup.blobbers[0]
        let sizes = [Int64](repeating: 100, count: 150)
        var markers = network.chain(owner: setup.owner, allocation: setup.allocation, blobber: blobber, sizes: sizes)
        let good = markers
        markers[97].signature = TestNetwork.key("forger").signature(over: markers[97].hash)
        let before = try await network.ledger.stateDump()
        do {
            try await network.submitChain(markers, allocation: setup.allocation, by: blobber)
            Issue.record("accepted a chain with a forged marker")
        } catch {
            #expect(error.code == "marker.bad_signature" && error.markerIndex == 97, "\(error)")
        }
        #expect(try await network.ledger.stateDump() == before)

        let forged = network.chain(owner: TestNetwork.key("someone"), allocation: setup.allocation, blobber: blobber, sizes: sizes)
        do {
            try await network.submitChain(forged, allocation: setup.allocation, by: blobber)
            Issue.record("accepted a chain signed by someone else")
        } catch {
            #expect(error.code == "marker.wrong_client" && error.markerIndex == 0, "\(error)")
        }
        #expect(try await network.ledger.stateDump() == before)

        // The first 80 accepted, then all 150: the prefix is skipped, the rest accepted.
        #expect(try await network.submitChain(Array(good.prefix(80)), allocation: setup.allocation, by: blobber).result.markersAccepted == 80)
        let rest = try await network.submitChain(good, allocation: setup.allocation, by: blobber)
        #expect(rest.result.markersAccepted == 70 && rest.result.markersSkipped == 80)
        #expect(try await network.head(setup.allocation, blobber) == good[149].head)
        try await network.expectConserved()
    }

    @Test func unknownExpiredAndMalformedSubmissionsAreRefused() async throws {
        let setup = try await Setup()
        let network = setup.network
        let blobber = setup.blobbers[0]
        let markers = network.chain(owner: setup.owner, allocation: setup.allocation, blobber: blobber, sizes: [10])
        try await expectRefusal("ledger.unknown_allocation", in: network) {
            try await network.submitChain(markers, allocation: AllocationID(SHA256.hash([3])), by: blobber)
        }
        try await expectRefusal("tx.malformed", in: network) {
            var tx = network.transaction(
                .submitChain, SubmitChainPayload(allocationID: setup.allocation, markers: markers), by: blobber)
            tx.payload = String(tx.payload.dropLast())
            tx.sign(with: blobber)
            _ = try await network.ledger.submit(tx)
        }
        try await expectRefusal("tx.bad_signature", in: network) {
            var tx = network.transaction(
                .submitChain, SubmitChainPayload(allocationID: setup.allocation, markers: markers), by: blobber)
            tx.nonce += 1
            _ = try await network.ledger.submit(tx)
        }
        try await expectRefusal("tx.stale_timestamp", in: network) {
            var tx = network.transaction(
                .submitChain, SubmitChainPayload(allocationID: setup.allocation, markers: markers), by: blobber)
            tx.timestamp -= 301_000
            tx.sign(with: blobber)
            _ = try await network.ledger.submit(tx)
        }
        try await expectRefusal("ledger.faucet_limit", in: network) {
            try await network.submit(.faucet, FaucetPayload(amount: UInt64(Int64.max)), by: blobber)
        }
        try await expectRefusal("ledger.system_only", in: network) {
            try await network.submit(.challengeTimeout, ChallengeTimeoutPayload(challengeID: .zero), by: blobber)
        }
        try await expectRefusal("ledger.allocation_not_expired", in: network) {
            try await network.submit(.finalizeAllocation, FinalizeAllocationPayload(allocationID: setup.allocation), by: blobber)
        }
        network.time.advance(by: 3_600_001)
        try await expectRefusal("ledger.allocation_expired", in: network) {
            try await network.submitChain(markers, allocation: setup.allocation, by: blobber)
        }
    }

    @Test func allocationRulesAreChecked() async throws {
        let setup = try await Setup()
        let network = setup.network
        let ids = setup.blobbers
        func create(_ k: Int, _ blobbers: [SigningKey], size: UInt64 = 3 << 20, pool: UInt64 = 5_000_000, expiry: Int64 = 3_600_000)
            async throws
        {
            try await network.submit(
                .createAllocation,
                CreateAllocationPayload(
                    dataShards: k, parityShards: blobbers.count - k, size: size, expiry: network.time.value + expiry,
                    blobbers: blobbers.map { $0.publicKey.blobberID }, writePool: pool), by: setup.owner)
        }
        try await expectRefusal("ledger.bad_shards", in: network) { try await create(0, ids) }
        try await expectRefusal("ledger.duplicate_blobber", in: network) { try await create(2, [ids[0], ids[0], ids[1]]) }
        try await expectRefusal("ledger.unknown_blobber", in: network) {
            try await create(2, [ids[0], ids[1], TestNetwork.key("nobody")])
        }
        try await expectRefusal("ledger.insufficient_capacity", in: network) { try await create(2, ids, size: 4 << 30) }
        // 3 blobbers × 1.5 MiB × 1 unit per byte.
        try await expectRefusal("ledger.write_pool_too_small", in: network) { try await create(2, ids, pool: 3 * (3 << 19) - 1) }
        try await expectRefusal("ledger.insufficient_funds", in: network) { try await create(2, ids, pool: 6_000_000) }
        try await expectRefusal("ledger.expiry_in_past", in: network) { try await create(2, ids, expiry: 0) }
        try await create(2, ids, pool: 3 * (3 << 19))
        try await network.expectConserved()
    }

    @Test func finalizeReturnsThePoolAndPaysOutChallengePools() async throws {
        let setup = try await Setup()
        let network = setup.network
        let blobber = setup.blobbers[0]
        let markers = network.chain(owner: setup.owner, allocation: setup.allocation, blobber: blobber, sizes: [100_000])
        try await network.submitChain(markers, allocation: setup.allocation, by: blobber)
        network.time.advance(by: 3_600_001)
        let ownerBefore = try await network.ledger.balance(of: setup.owner.id)
        let receipt = try await network.submit(
            .finalizeAllocation, FinalizeAllocationPayload(allocationID: setup.allocation), by: blobber)
        #expect(receipt.result.refunded == 5_000_000 - 100_000)
        #expect(receipt.result.paid == 50_000)
        #expect(try await network.ledger.balance(of: setup.owner.id) == ownerBefore + 4_900_000)
        #expect(try await network.ledger.balance(of: blobber.id) == 100_000)
        #expect(try await network.ledger.blobber(blobber.publicKey.blobberID).used == 0)
        try await expectRefusal("ledger.allocation_finalized", in: network) {
            try await network.submit(
                .finalizeAllocation, FinalizeAllocationPayload(allocationID: setup.allocation), by: setup.owner)
        }
        try await network.expectConserved()
    }

    @Test func blobbersUpdateTheirTermsAndStake() async throws {
        let setup = try await Setup()
        let network = setup.network
        let blobber = setup.blobbers[0]
        try await expectRefusal("ledger.already_registered", in: network) {
            try await network.submit(
                .registerBlobber,
                RegisterBlobberPayload(url: "http://x", capacity: 1, readPrice: 1, writePrice: 1, region: "", stake: 0),
                by: blobber)
        }
        try await expectRefusal("ledger.invalid_terms", in: network) {
            try await network.submit(.updateBlobber, UpdateBlobberPayload(capacity: 1000), by: blobber)
        }
        try await expectRefusal("ledger.unknown_blobber", in: network) {
            try await network.submit(.updateBlobber, UpdateBlobberPayload(url: "http://y"), by: setup.owner)
        }
        try await network.fund(blobber, 500)
        try await network.submit(
            .updateBlobber, UpdateBlobberPayload(url: "http://127.0.0.1:7777", writePrice: 5, stake: 500), by: blobber)
        let record = try await network.ledger.blobber(blobber.publicKey.blobberID)
        #expect(record.url == "http://127.0.0.1:7777")
        #expect(record.writePrice == 5)
        #expect(record.stake == 1_000_500)
        #expect(record.capacity == 1 << 30)
        // The allocation keeps the price it was created at.
        let view = try await network.ledger.allocation(setup.allocation)
        #expect(view.blobbers[0].writePrice == TestNetwork.bytePrice)
        try await network.expectConserved()
    }
}
