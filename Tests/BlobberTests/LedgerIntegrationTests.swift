import Foundation
import GRDB
import Merkle
import NIOHTTP1
import StorageProtocol
import TestProcesses
import Testing

extension Owner {
    /// Uploads `blocks` blocks and commits them at `path`.
    mutating func put(_ path: String, blocks: Int, seed: UInt8) async throws {
        let bytes = shardBytes(blocks, seed: seed)
        let id = "up\(seed)"
        let upload = try await upload(id, bytes)
        #expect(upload.status == 200, "\(upload.code ?? "")")
        let reply = try await commit([.put(uploadID: id, entry: entry(path, bytes))])
        #expect(reply.status == 200, "\(reply.code ?? "")")
    }
}

@Suite("Blobber and ledger", .timeLimit(.minutes(2)))
struct LedgerIntegrationTests {
    @Test("markers reach the ledger in chains; challenges against an older root and after a restart pass")
    func markersAndChallenges() async throws {
        // Chains of 2: the third marker waits, so the ledger's root lags the blobber's.
        let (ledger, firstBlobber, start) = try await startAllocation(
            challengeInterval: 1,
            blobberExtra: ["--batch-max-markers", "2", "--batch-idle", "600", "--batch-max-age", "600"])
        var owner = start
        var blobber = firstBlobber
        // The blobber registered itself with its URL.
        let record = try #require(try await ledger.blobber(blobber.id))
        #expect(record.url == blobber.url)

        try await owner.put("/a", blocks: 2, seed: 1)
        try await owner.put("/b", blocks: 3, seed: 2)
        let ledgerRoot = owner.trie.root
        try await owner.put("/c", blocks: 1, seed: 3)
        let onLedger = try await eventually {
            try await ledger.allocation(owner.allocation).blobbers[0].head.sequence == 2
        }
        #expect(onLedger)
        let head = try await ledger.allocation(owner.allocation).blobbers[0].head
        #expect(head.allocationRoot == ledgerRoot && head.chainSize == 5 * 65536)
        // The blobber marks the chain delivered once the ledger's answer arrives, a moment after the ledger holds it.
        #expect(try await eventually { try await owner.state().pendingMarkers == 1 })

        // Challenges name the ledger's root (sequence 2); the blobber answers from that version.
        let passed = try await eventually {
            try await ledger.challenges(blobber: blobber.id, status: "passed").contains { $0.root == ledgerRoot }
        }
        #expect(passed)
        #expect(try await ledger.challenges(blobber: blobber.id, status: "failed").isEmpty)
        #expect(try await ledger.challenges(blobber: blobber.id, status: "timeout").isEmpty)

        // Down: challenges stay open; after a restart they are answered.
        await blobber.process.stop()
        let open = try await eventually { try await !ledger.challenges(blobber: blobber.id, status: "open").isEmpty }
        #expect(open)
        let waiting = try await ledger.challenges(blobber: blobber.id, status: "open").map(\.id)
        blobber = try await TestBlobber.start(
            ledger: ledger.url, directory: blobber.directory,
            extra: ["--batch-max-markers", "2", "--batch-idle", "600", "--batch-max-age", "600"])
        owner = Owner(key: owner.key, allocation: owner.allocation, blobber: blobber, copying: owner)
        let answered = try await eventually {
            let done = Set(try await ledger.challenges(blobber: blobber.id, status: "passed").map(\.id))
            return waiting.allSatisfy(done.contains)
        }
        #expect(answered)
        // The state survived the restart, and a fourth marker completes the next chain.
        #expect(try await owner.state().head.allocationRoot == owner.trie.root)
        try await owner.put("/d", blocks: 1, seed: 4)
        let caughtUp = try await eventually {
            try await ledger.allocation(owner.allocation).blobbers[0].head.sequence == 4
        }
        #expect(caughtUp)
        #expect(try await eventually { try await owner.state().pendingMarkers == 0 })
        #expect(try await ledger.challenges(blobber: blobber.id, status: "failed").isEmpty)
        await stopAll(ledger, blobber)
    }

    @Test("a ledger outage delays the chains and never loses them; the backlog goes in chains of batch_max_markers")
    func ledgerOutage() async throws {
        let (firstLedger, blobber, start) = try await startAllocation(blobberExtra: ["--batch-max-markers", "2"])
        var owner = start
        var ledger = firstLedger
        try await owner.put("/a", blocks: 1, seed: 1)
        #expect(try await eventually { try await ledger.allocation(owner.allocation).blobbers[0].head.sequence == 1 })
        let port = try #require(Int(ledger.url.split(separator: ":").last!))
        await ledger.stop()
        for seed in UInt8(2)...6 { try await owner.put("/f\(seed)", blocks: 1, seed: seed) }
        try await Task.sleep(for: .milliseconds(600))
        #expect(try await owner.state().pendingMarkers == 5)
        ledger = try await TestLedger.start(directory: ledger.directory, port: port)
        let delivered = try await eventually(timeout: 45) {
            try await ledger.allocation(owner.allocation).blobbers[0].head.sequence == 6
        }
        #expect(delivered)
        #expect(try await ledger.allocation(owner.allocation).blobbers[0].head.allocationRoot == owner.trie.root)
        #expect(try await eventually { try await owner.state().pendingMarkers == 0 })
        // The ledger's own log: every marker arrived once, in chains of at most 2.
        let log = try DatabaseQueue(
            path: ledger.directory + "/ledger.sqlite",
            configuration: {
                var configuration = Configuration()
                configuration.readonly = true
                return configuration
            }())
        let payloads = try await log.read { db in
            try Data.fetchAll(db, sql: "SELECT payload FROM transactions WHERE kind = 'submit_chain' ORDER BY seq")
        }
        let chains = try payloads.map {
            try TransactionCoding.decode(SubmitChainPayload.self, from: Array($0), what: "submit_chain").markers.map(
                \.sequence)
        }
        #expect(chains.allSatisfy { $0.count <= 2 }, "\(chains)")
        #expect(chains.flatMap { $0 } == Array(1...6), "\(chains)")
        await stopAll(ledger, blobber)
    }
}

extension LedgerIntegrationTests {
    @Test("a blobber started while the ledger is down registers once it is back")
    func registersAfterOutage() async throws {
        var ledger = try await TestLedger.start()
        let port = try #require(Int(ledger.url.split(separator: ":").last!))
        await ledger.stop()
        let blobber = try await TestBlobber.start(ledger: ledger.url)
        ledger = try await TestLedger.start(directory: ledger.directory, port: port)
        let registered = try await eventually(timeout: 45) {
            try await ledger.blobber(blobber.id) != nil
        }
        #expect(registered)
        let record = try #require(try await ledger.blobber(blobber.id))
        #expect(record.url == blobber.url)
        await stopAll(ledger, blobber)
    }
}

extension Owner {
    /// The same owner state, talking to a restarted blobber process.
    init(key: SigningKey, allocation: AllocationID, blobber: TestBlobber, copying other: Owner) {
        self.init(key: key, allocation: allocation, blobber: blobber)
        trie = other.trie
        meta = other.meta
        head = other.head
        previous = other.previous
    }
}

@Suite("Blobber and changed allocations", .timeLimit(.minutes(2)))
struct ChangedTermsTests {
    @Test("terms the owner changes on the ledger are taken: a grown size, an extension, a cancel, a replacement")
    func changedTerms() async throws {
        // Terms are trusted for 3 s here (30 s by default); a request they would refuse asks after 2 s.
        let (ledger, blobber, start) = try await startAllocation(size: 2 * 65536, blobberExtra: ["--terms-refresh", "3"])
        do {
            try await changedTerms(ledger: ledger, blobber: blobber, owner: start)
        } catch {
            await stopAll(ledger, blobber)
            throw error
        }
        await stopAll(ledger, blobber)
    }

    func changedTerms(ledger: TestLedger, blobber: TestBlobber, owner start: Owner) async throws {
        var owner = start

        // Grown: three blocks do not fit a share of two; after update_allocation they do, with no wait
        // for the terms to age (the refusal asks the ledger again, at most once per 2 s).
        let bytes = shardBytes(3, seed: 3)
        #expect(try await owner.upload("big", bytes).code == "allocation.capacity_exceeded")
        try await ledger.submit(
            .updateAllocation, UpdateAllocationPayload(allocationID: owner.allocation, size: 4 * 65536), by: owner.key)
        try await Task.sleep(for: .milliseconds(2_100))
        let grown = try await owner.upload("big", bytes)
        #expect(grown.status == 200, "\(grown.code ?? "")")
        #expect(try await owner.commit([.put(uploadID: "big", entry: entry("/big", bytes))]).status == 200)

        // Extended: an allocation of 6 s, extended by an hour before it ends, is served after the 6 s.
        let short = try await ledger.createAllocation(owner: owner.key, blobbers: [blobber.id], lifetime: 6_000)
        let created = nowMillis()
        let shortOwner = Owner(key: owner.key, allocation: short, blobber: blobber)
        #expect(try await shortOwner.upload("s", shardBytes(1, seed: 1)).status == 200)
        try await ledger.submit(
            .updateAllocation, UpdateAllocationPayload(allocationID: short, expiry: created + 3_600_000), by: owner.key)

        // Replaced: the blobber gives its place to another and refuses the allocation once it knows.
        let other = SigningKey.generate()
        try await ledger.fund(other)
        try await ledger.submit(
            .registerBlobber,
            RegisterBlobberPayload(
                url: "http://127.0.0.1:1", capacity: 1 << 30, readPrice: 1, writePrice: 1, region: "x", stake: 0),
            by: other)
        let moved = try await ledger.createAllocation(owner: owner.key, blobbers: [blobber.id])
        let movedOwner = Owner(key: owner.key, allocation: moved, blobber: blobber)
        #expect(try await movedOwner.request(.GET, "\(movedOwner.base)/state").status == 200)
        try await ledger.submit(
            .updateAllocation,
            UpdateAllocationPayload(
                allocationID: moved, replace: BlobberReplacement(from: blobber.id, to: other.publicKey.blobberID)),
            by: owner.key)
        #expect(
            try await eventually(timeout: 20) {
                try await movedOwner.request(.GET, "\(movedOwner.base)/state").code == "allocation.not_a_blobber"
            })

        // Cancelled: the first allocation ends now; the blobber refuses it once it has asked again.
        try await ledger.submit(.cancelAllocation, CancelAllocationPayload(allocationID: owner.allocation), by: owner.key)
        #expect(
            try await eventually(timeout: 20) {
                try await owner.request(.GET, "\(owner.base)/state").code == "allocation.expired"
            })

        try await Task.sleep(for: .milliseconds(max(0, 6_500 - Int(nowMillis() - created))))
        let late = try await shortOwner.upload("t", shardBytes(1, seed: 2))
        #expect(late.status == 200, "\(late.code ?? "")")
    }
}

@Suite("Blobber registration refused", .timeLimit(.minutes(2)))
struct RegistrationRefusedTests {
    @Test("a ledger that refuses the registration for want of funds is named as such, with the account to fund")
    func refusedForWantOfFunds() async throws {
        let ledger = try await TestLedger.start()
        // A stake this blobber's empty account cannot lock (no faucet: serve's --stake is taken as is).
        let blobber = try await TestBlobber.start(ledger: ledger.url, extra: ["--stake", "5000000000"])
        let said = try await eventually(timeout: 20) {
            blobber.process.child.stderr.contains("refused this blobber's registration")
        }
        let log = blobber.process.child.stderr
        #expect(said, "\(log)")
        #expect(log.contains("ledger.insufficient_funds") && log.contains(blobber.key.id.hex), "\(log)")
        #expect(!log.contains("could not be reached"), "\(log)")
        let registered = try await ledger.blobber(blobber.id)
        await stopAll(ledger, blobber)
        #expect(registered == nil)
    }
}
