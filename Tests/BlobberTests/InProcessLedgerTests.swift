@testable import Blobber
import Foundation
import Ledger
import LedgerAPI
import Logging
import Merkle
import NIOCore
import StorageProtocol
import Synchronization
import TestProcesses
import Testing

/// The blobber's services with only what they need, over a real `Ledger` in this process: a
/// registration, a marker chain delivered by the batcher, and a challenge answered by the responder,
/// each checked in the ledger's state.
@Suite struct InProcessLedgerTests {
    static let quiet = Logger(label: "in-process-test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func openLedger(_ directory: String) throws -> Ledger {
        try Ledger.open(directory: directory + "/ledger", rules: LedgerRules(faucet: true))
    }

    /// `registerIfNeeded` tops the balance up from the faucet to the stake, registers, and the second
    /// time asks nothing more of the ledger (the balance stays 0, no second top-up).
    @Test func registrationThroughTheFaucet() async throws {
        let directory = temporaryDirectory("blobber-in-process")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try Self.openLedger(directory)
        var configuration = BlobberConfiguration(dataDirectory: directory + "/blobber")
        configuration.faucet = true
        configuration.stake = 2_000_000
        configuration.capacity = 1 << 30
        configuration.region = "in-process"
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        try KeyFile.write(SigningKey.generate(), to: configuration.keyPath)
        let node = try BlobberNode(configuration: configuration, ledger: InProcessLedger(ledger), logger: Self.quiet)

        try await node.registerIfNeeded(url: "http://127.0.0.1:7")
        let record = try await ledger.blobber(node.blobberID)
        #expect(record.url == "http://127.0.0.1:7" && record.stake == 2_000_000 && record.region == "in-process")
        #expect(try await ledger.balance(of: node.key.id) == 0)
        let registered = node.registration.withLock { $0.done }
        #expect(registered)

        try await node.registerIfNeeded(url: "http://127.0.0.1:8")
        #expect(try await ledger.blobber(node.blobberID) == record)
        #expect(try await ledger.balance(of: node.key.id) == 0)
    }

    /// One commit: the batcher delivers its marker (the ledger's head for this blobber moves to it),
    /// then the responder answers the challenge the ledger issues on it, and the ledger marks it passed.
    @Test func markerBatcherAndChallengeResponder() async throws {
        let directory = temporaryDirectory("blobber-in-process")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try Self.openLedger(directory)
        let access = InProcessLedger(ledger)
        let owner = SigningKey.generate()
        let blobber = SigningKey.generate()
        let now = BlobberNode.now()
        @discardableResult
        func submit(_ kind: TransactionKind, _ payload: some Encodable, by key: SigningKey) async throws
            -> TransactionReceipt
        {
            try await access.submit(
                LedgerTransaction.make(
                    kind, payload: payload, key: key, nonce: .random(in: 0...UInt64.max), timestamp: now))
        }
        try await submit(.faucet, FaucetPayload(amount: 1_000_000_000), by: owner)
        try await submit(.faucet, FaucetPayload(amount: 1_000_000), by: blobber)
        try await submit(
            .registerBlobber,
            RegisterBlobberPayload(
                url: "http://127.0.0.1:1", capacity: 1 << 30, readPrice: 1, writePrice: 1 << 20, region: "r",
                stake: 1_000_000), by: blobber)
        let created = try await submit(
            .createAllocation,
            CreateAllocationPayload(
                dataShards: 1, parityShards: 0, size: 1 << 20, expiry: now + 3_600_000,
                blobbers: [blobber.publicKey.blobberID], writePool: 100_000_000), by: owner)
        let createdID = try #require(created.result.allocationID)
        let view = try #require(try await access.allocation(createdID))
        let id = view.allocation.id

        // The blobber's side: the allocation in its database, one file committed.
        let database = try BlobberDatabase(path: directory + "/blobber.sqlite")
        let stager = UploadStager(store: ShardStore(root: directory))
        try database.seedAllocation(
            AllocationInfo(
                id: id, blobberID: blobber.publicKey.blobberID, ownerKey: owner.publicKey, dataShards: 1,
                size: view.allocation.size, share: view.allocation.shardSize, createdAt: view.allocation.createdAt,
                expiry: view.allocation.expiry))
        let store = try #require(
            try AllocationStore.open(id, blobber: blobber.publicKey.blobberID, database: database, stager: stager))
        let block = ByteBuffer(repeating: 7, count: ShardTree.blockSize)
        let staged = try await stager.stage(
            id, upload: "u1", shardSize: UInt64(ShardTree.blockSize), offset: 0, freeShare: .max,
            body: AsyncStream<ByteBuffer> {
                $0.yield(block)
                $0.finish()
            })
        let entry = FileEntry(
            path: "/a.bin", size: 65_536, contentHash: SHA256.hash(Array("a".utf8)),
            shardRoot: try #require(staged.shardRoot), blockCount: 1, createdAt: now, updatedAt: now)
        let trie = AllocationTrie(kind: .allocation, entries: [entry])
        let meta = AllocationTrie(kind: .fileMeta, entries: [entry])
        let head = await store.head
        let marker = WriteMarker(
            allocationID: id, blobberID: blobber.publicKey.blobberID, clientID: owner.publicKey.clientID,
            sequence: head.sequence + 1, allocationRoot: trie.root, previousAllocationRoot: head.allocationRoot,
            fileMetaRoot: meta.root, size: Int64(ShardTree.blockSize),
            chainSize: head.chainSize + UInt64(ShardTree.blockSize),
            chainHash: WriteMarker.chainHash(previous: head.chainHash, root: trie.root), timestamp: now
        ).signed(with: owner)
        _ = try await store.commit(
            CommitRequest(changes: [.put(uploadID: "u1", entry: entry)], marker: marker), now: now)
        #expect(try database.pendingCount() == 1)

        let logger = Self.quiet
        let batcher = MarkerBatcher(
            ledger: access, key: blobber, database: database,
            limits: MarkerBatcher.Limits(maxMarkers: 64, maxAge: 0, idle: 0), logger: logger)
        var backoff = [AllocationID: (until: Int64, delay: Int64)]()
        #expect(try await batcher.submitDue(backoff: &backoff) == 1)
        #expect(try database.pendingCount() == 0)
        let onLedger = try #require(try await access.allocation(id)?.blobbers.first)
        #expect(onLedger.head.sequence == 1 && onLedger.head.allocationRoot == trie.root)
        #expect(try await batcher.submitDue(backoff: &backoff) == 0)

        _ = try await ledger.sealBlock()
        let issued = try #require(try await ledger.issueChallenge())
        let challengeID = try #require(issued.result.challengeID)
        let responder = ChallengeResponder(
            ledger: access, key: blobber, database: database, interval: .seconds(1), logger: logger,
            stores: { _ in store })
        #expect(try await responder.answerOpen() == 1)
        #expect(try await ledger.challenges(status: .passed).map(\.id) == [challengeID])
        #expect(try database.challengeState(challengeID) == "passed")
        #expect(try await responder.answerOpen() == 0)
    }
}
