import Foundation
import Ledger
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// `update_allocation` and `cancel_allocation` (docs/PROTOCOL.md 7.2, "Changing an allocation"): every
/// change and every refusal, pools and capacity moved exactly, supply conserved, and the log replays.
@Suite struct AllocationUpdateTests {
    /// A ledger in a folder (so `LedgerVerifier` replays it), 5 blobbers, an owner with a 2+1 allocation on
    /// the first three, and two chains accepted.
    struct Setup {
        let directory: String
        let network: TestNetwork
        let owner: SigningKey
        let blobbers: [SigningKey]
        let allocation: AllocationID

        init() async throws {
            directory = temporaryDirectory("ledger-update")
            let time = ManualTime(TestNetwork.start)
            let ledgerKey = TestNetwork.key("update ledger")
            let ledger = try Ledger(
                database: LedgerDatabase(path: directory + "/ledger.sqlite"), key: ledgerKey,
                rules: LedgerRules(faucet: true), clock: .manual(time))
            network = try TestNetwork(ledger: ledger, time: time, ledgerKey: ledgerKey)
            owner = TestNetwork.key("owner")
            try await network.fund(owner, 100_000_000)
            blobbers = try await network.registerBlobbers(5, capacity: 64 << 20)
            allocation = try await network.createAllocation(
                owner: owner, blobbers: Array(blobbers[0..<3]), dataShards: 2, size: 8 << 20, writePool: 20_000_000)
            for blobber in blobbers[0..<2] {
                let markers = network.chain(owner: owner, allocation: allocation, blobber: blobber, sizes: [1 << 20])
                try await network.submitChain(markers, allocation: allocation, by: blobber)
            }
        }

        @discardableResult
        func update(_ payload: UpdateAllocationPayload, by key: SigningKey? = nil) async throws(LedgerError)
            -> TransactionReceipt
        {
            try await network.submit(.updateAllocation, payload, by: key ?? owner)
        }

        func id(_ index: Int) -> BlobberID { blobbers[index].publicKey.blobberID }

        func used(_ index: Int) async throws -> UInt64 { try await network.ledger.blobber(id(index)).used }

        /// Replays the whole log and checks the supply.
        func verify() async throws {
            try await network.ledger.sealBlock()
            _ = try LedgerVerifier.verify(network.ledger.database)
            try await network.expectConserved()
        }
    }

    @Test func extendGrowAndTopUp() async throws {
        let setup = try await Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        let before = try await setup.network.ledger.allocation(setup.allocation).allocation
        let balance = try await setup.network.ledger.balance(of: setup.owner.id)
        try await setup.update(
            .init(allocationID: setup.allocation, expiry: before.expiry + 86_400_000, size: 16 << 20, writePool: 10_000_000))
        let after = try await setup.network.ledger.allocation(setup.allocation).allocation
        #expect(after.expiry == before.expiry + 86_400_000)
        #expect(after.size == 16 << 20 && after.shardSize == 8 << 20)
        #expect(after.writePool == before.writePool + 10_000_000)
        #expect(try await setup.network.ledger.balance(of: setup.owner.id) == balance - 10_000_000)
        for index in 0..<3 { #expect(try await setup.used(index) == 8 << 20) }
        #expect(try await setup.used(3) == 0)
        // Shrinking is allowed down to what a blobber stores (1 MiB on blobbers 0 and 1), not below.
        try await setup.update(.init(allocationID: setup.allocation, size: 2 << 20))
        #expect(try await setup.used(0) == 1 << 20)
        try await expectRefusal("ledger.size_below_stored", in: setup.network) {
            try await setup.update(.init(allocationID: setup.allocation, size: (2 << 20) - 2))
        }
        try await setup.verify()
    }

    @Test func replaceMovesPoolsAndCapacityAndTheOldChainStillReplays() async throws {
        let setup = try await Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        let network = setup.network
        let view = try await network.ledger.allocation(setup.allocation)
        let leaving = try #require(view.blobbers.first { $0.blobberID == setup.id(1) })
        #expect(leaving.challengePool > 0)
        try await setup.update(
            .init(allocationID: setup.allocation, replace: BlobberReplacement(from: setup.id(1), to: setup.id(3))))
        let after = try await network.ledger.allocation(setup.allocation)
        #expect(after.blobbers.map(\.blobberID) == [setup.id(0), setup.id(3), setup.id(2)])
        let joined = try #require(after.blobbers.first { $0.blobberID == setup.id(3) })
        #expect(joined.shardIndex == 1 && joined.head == .genesis && joined.paid == 0 && joined.challengePool == 0)
        #expect(after.allocation.writePool == view.allocation.writePool + leaving.challengePool)
        #expect(try await setup.used(1) == 0)
        #expect(try await setup.used(3) == view.allocation.shardSize)
        // The leaver can no longer submit; the newcomer's chain starts from genesis.
        let late = network.chain(
            owner: setup.owner, allocation: setup.allocation, blobber: setup.blobbers[1], from: leaving.head,
            sizes: [4096], tag: "late")
        try await expectRefusal("ledger.not_allocation_blobber", in: network) {
            try await network.submitChain(late, allocation: setup.allocation, by: setup.blobbers[1])
        }
        let fresh = network.chain(
            owner: setup.owner, allocation: setup.allocation, blobber: setup.blobbers[3], sizes: [1 << 20], tag: "fresh")
        try await network.submitChain(fresh, allocation: setup.allocation, by: setup.blobbers[3])
        // Adding one more parity shard at the next index.
        try await setup.update(.init(allocationID: setup.allocation, addBlobber: setup.id(4), writePool: 1_000_000))
        let grown = try await network.ledger.allocation(setup.allocation)
        #expect(grown.allocation.parityShards == 2)
        #expect(grown.blobbers.last?.blobberID == setup.id(4) && grown.blobbers.last?.shardIndex == 3)
        try await setup.verify()
    }

    @Test func refusalsChangeNothing() async throws {
        let setup = try await Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        let network = setup.network
        let allocation = setup.allocation
        let stranger = TestNetwork.key("stranger")
        try await network.fund(stranger, 1_000_000)
        try await expectRefusal("ledger.not_owner", in: network) {
            try await setup.update(.init(allocationID: allocation, writePool: 10), by: stranger)
        }
        try await expectRefusal("ledger.not_in_allocation", in: network) {
            try await setup.update(
                .init(allocationID: allocation, replace: BlobberReplacement(from: setup.id(4), to: setup.id(3))))
        }
        try await expectRefusal("ledger.duplicate_blobber", in: network) {
            try await setup.update(
                .init(allocationID: allocation, replace: BlobberReplacement(from: setup.id(1), to: setup.id(2))))
        }
        try await expectRefusal("ledger.duplicate_blobber", in: network) {
            try await setup.update(.init(allocationID: allocation, addBlobber: setup.id(0)))
        }
        try await expectRefusal("ledger.unknown_blobber", in: network) {
            try await setup.update(.init(allocationID: allocation, addBlobber: BlobberID(SHA256.hash([9]))))
        }
        try await expectRefusal("ledger.invalid_terms", in: network) {
            try await setup.update(.init(allocationID: allocation))
        }
        try await expectRefusal("ledger.invalid_terms", in: network) {
            try await setup.update(.init(allocationID: allocation, expiry: TestNetwork.start))
        }
        try await expectRefusal("ledger.insufficient_capacity", in: network) {
            try await setup.update(.init(allocationID: allocation, size: 200 << 20, writePool: 50_000_000))
        }
        try await expectRefusal("ledger.write_pool_too_small", in: network) {
            try await setup.update(.init(allocationID: allocation, size: 60 << 20))
        }
        try await expectRefusal("ledger.insufficient_funds", in: network) {
            try await setup.update(.init(allocationID: allocation, writePool: 1 << 40))
        }
        try await expectRefusal("ledger.unknown_allocation", in: network) {
            try await setup.update(.init(allocationID: AllocationID(SHA256.hash([1])), writePool: 1))
        }
        // A former member does not come back (its markers would collide with a new chain).
        try await setup.update(
            .init(allocationID: allocation, replace: BlobberReplacement(from: setup.id(1), to: setup.id(3))))
        try await expectRefusal("ledger.duplicate_blobber", in: network) {
            try await setup.update(.init(allocationID: allocation, addBlobber: setup.id(1)))
        }
        // Cancelled: refunds the pool, pays the challenge pools, releases capacity; then nothing more.
        let balance = try await network.ledger.balance(of: setup.owner.id)
        let view = try await network.ledger.allocation(allocation)
        try await expectRefusal("ledger.not_owner", in: network) {
            try await network.submit(.cancelAllocation, CancelAllocationPayload(allocationID: allocation), by: stranger)
        }
        let receipt = try await network.submit(
            .cancelAllocation, CancelAllocationPayload(allocationID: allocation), by: setup.owner)
        #expect(receipt.result.refunded == view.allocation.writePool)
        #expect(receipt.result.paid == view.blobbers.map(\.challengePool).reduce(0, +))
        #expect(try await network.ledger.balance(of: setup.owner.id) == balance + view.allocation.writePool)
        for index in 0..<5 { #expect(try await setup.used(index) == 0) }
        let cancelled = try await network.ledger.allocation(allocation).allocation
        #expect(cancelled.finalized && cancelled.writePool == 0 && cancelled.expiry <= network.time.value)
        try await expectRefusal("ledger.allocation_finalized", in: network) {
            try await setup.update(.init(allocationID: allocation, expiry: cancelled.expiry + 1_000_000))
        }
        try await expectRefusal("ledger.allocation_finalized", in: network) {
            try await network.submit(.cancelAllocation, CancelAllocationPayload(allocationID: allocation), by: setup.owner)
        }
        try await setup.verify()
    }
}
