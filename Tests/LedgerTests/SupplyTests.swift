import Foundation
@testable import Ledger
import Merkle
import StorageProtocol
import TestProcesses
import Testing

@Suite struct SupplyTests {
    /// A few hundred random transactions, valid and not: faucets, registrations, allocations, chains
    /// (some broken), finalizations, allocation updates (top-ups, extensions, resizes, replacements,
    /// added blobbers) and cancellations, challenges and timeouts. After every step no balance is negative
    /// (the schema forbids it) and everything minted is held somewhere; at the end the replay agrees.
    @Test(arguments: [UInt64(1), 2, 3])
    func supplyIsConservedOverARandomSequence(seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let network = try TestNetwork()
        let ledger = network.ledger
        let owners = (0..<3).map { TestNetwork.key("owner-\($0)") }
        var blobbers = [SigningKey]()
        var allocations = [(id: AllocationID, owner: SigningKey, blobbers: [SigningKey])]()
        var heads = [String: MarkerChainHead]()
        var applied = 0
        var refused = 0
        for step in 0..<300 {
            let choice = Int.random(in: 0..<100, using: &rng)
            do {
                switch choice {
                case 0..<10:
                    try await network.fund(owners.randomElement(using: &rng)!, UInt64.random(in: 1...50_000_000, using: &rng))
                case 10..<18 where blobbers.count < 6:
                    let key = TestNetwork.key("random-blobber-\(seed)-\(step)")
                    try await network.fund(key, 2_000_000)
                    try await network.submit(
                        .registerBlobber,
                        RegisterBlobberPayload(
                            url: "http://127.0.0.1:1", capacity: UInt64.random(in: 1 << 20...1 << 26, using: &rng),
                            readPrice: 1, writePrice: UInt64.random(in: 1...(1 << 31), using: &rng), region: "r",
                            stake: UInt64.random(in: 0...2_000_000, using: &rng)), by: key)
                    blobbers.append(key)
                case 18..<30 where blobbers.count >= 3:
                    let owner = owners.randomElement(using: &rng)!
                    let chosen = Array(blobbers.shuffled(using: &rng).prefix(3))
                    let id = try await network.createAllocation(
                        owner: owner, blobbers: chosen, dataShards: 2, size: UInt64.random(in: 1 << 16...1 << 22, using: &rng),
                        writePool: UInt64.random(in: 0...20_000_000, using: &rng),
                        lifetime: Int64.random(in: 10_000...200_000, using: &rng))
                    allocations.append((id, owner, chosen))
                case 30..<75 where !allocations.isEmpty:
                    let allocation = allocations.randomElement(using: &rng)!
                    let blobber = allocation.blobbers.randomElement(using: &rng)!
                    let key = "\(allocation.id)-\(blobber.id)"
                    let head = heads[key] ?? .genesis
                    let sizes = (0..<Int.random(in: 1...5, using: &rng)).map { _ in
                        Int64.random(in: -2000...60_000, using: &rng)
                    }
                    var markers = network.chain(
                        owner: allocation.owner, allocation: allocation.id, blobber: blobber, from: head, sizes: sizes,
                        tag: "s\(step)")
                    if Int.random(in: 0..<5, using: &rng) == 0 {
                        markers[markers.count - 1].chainHash = .zero  // a broken marker: the whole chain is refused
                    }
                    let receipt = try await network.submitChain(markers, allocation: allocation.id, by: blobber)
                    #expect(receipt.status == .applied)
                    heads[key] = markers.last!.head
                case 75..<79 where !allocations.isEmpty:
                    let allocation = allocations.randomElement(using: &rng)!
                    try await network.submit(
                        .finalizeAllocation, FinalizeAllocationPayload(allocationID: allocation.id),
                        by: owners.randomElement(using: &rng)!)
                case 79..<82 where !allocations.isEmpty:
                    // update_allocation by the owner (or, now and then, by another owner): a top-up, an
                    // extension, a resize, a replacement or an added blobber, often refused.
                    let index = Int.random(in: 0..<allocations.count, using: &rng)
                    let allocation = allocations[index]
                    let outsider = blobbers.filter { key in !allocation.blobbers.contains { $0.id == key.id } }
                        .randomElement(using: &rng)
                    var payload = UpdateAllocationPayload(allocationID: allocation.id)
                    switch Int.random(in: 0..<5, using: &rng) {
                    case 0: payload.writePool = UInt64.random(in: 0...5_000_000, using: &rng)
                    case 1: payload.expiry = network.time.value + Int64.random(in: -10_000...300_000, using: &rng)
                    case 2:
                        payload.size = UInt64.random(in: 1...1 << 22, using: &rng)
                        payload.writePool = UInt64.random(in: 0...10_000_000, using: &rng)
                    case 3:
                        if let outsider {
                            payload.replace = BlobberReplacement(
                                from: allocation.blobbers.randomElement(using: &rng)!.publicKey.blobberID,
                                to: outsider.publicKey.blobberID)
                        }
                    default:
                        payload.addBlobber = outsider?.publicKey.blobberID
                        payload.writePool = UInt64.random(in: 0...10_000_000, using: &rng)
                    }
                    let sender = Int.random(in: 0..<6, using: &rng) == 0 ? owners.randomElement(using: &rng)! : allocation.owner
                    try await network.submit(.updateAllocation, payload, by: sender)
                    var members = allocation.blobbers
                    if let replace = payload.replace, let outsider, let at = members.firstIndex(where: {
                        $0.publicKey.blobberID == replace.from
                    }) {
                        members[at] = outsider
                    }
                    if payload.addBlobber != nil, let outsider { members.append(outsider) }
                    allocations[index].blobbers = members
                case 82..<83 where !allocations.isEmpty:
                    let allocation = allocations.randomElement(using: &rng)!
                    let sender = Int.random(in: 0..<3, using: &rng) == 0 ? owners.randomElement(using: &rng)! : allocation.owner
                    try await network.submit(
                        .cancelAllocation, CancelAllocationPayload(allocationID: allocation.id), by: sender)
                case 83..<90:
                    try await ledger.sealBlock()
                    _ = try await ledger.issueChallenge()
                case 90..<95:
                    _ = try await ledger.expireChallenges()
                default:
                    network.time.advance(by: Int64.random(in: 1000...20_000, using: &rng))
                    continue
                }
                applied += 1
            } catch {
                refused += 1
            }
            let totals = try await ledger.supplyTotals()
            #expect(totals.minted == totals.held, "seed \(seed) step \(step): \(totals)")
            if totals.minted != totals.held { return }
        }
        #expect(applied > 100)
        #expect(refused > 5)
        try await ledger.sealBlock()
        let summary = try LedgerVerifier.verify(ledger.database)
        #expect(summary.transactions > 100)
        let totals = try await ledger.supplyTotals()
        #expect(totals.stakes > 0)
        #expect(totals.balances > 0)
    }
}

@Suite struct VerifierSupplyTests {
    /// `ledger verify` certifies the supply equation on top of the replay; a shortfall, an excess and
    /// holdings that overflow 64 bits are each a failure naming the supply, never a trap.
    @Test func theSupplyEquationIsChecked() throws {
        let good = SupplyTotals(minted: 100, balances: 40, writePools: 30, challengePools: 20, stakes: 10)
        try LedgerVerifier.checkConserved(good)
        for bad in [
            SupplyTotals(minted: 101, balances: 40, writePools: 30, challengePools: 20, stakes: 10),
            SupplyTotals(minted: 99, balances: 40, writePools: 30, challengePools: 20, stakes: 10),
            SupplyTotals(minted: 5, balances: .max, writePools: 6, challengePools: 0, stakes: 0),
        ] {
            #expect(throws: VerifyFailure.self) { try LedgerVerifier.checkConserved(bad) }
        }
    }
}
