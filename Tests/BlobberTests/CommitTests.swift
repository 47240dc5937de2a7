import Foundation
import NIOHTTP1
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// A ledger, one blobber on it, and an allocation owned by `owner` on that blobber.
func startAllocation(
    dataShards: Int = 1, size: UInt64 = 64 << 20, lifetime: Int64 = 3_600_000, challengeInterval: Int = 0,
    blobberExtra: [String] = []
) async throws -> (TestLedger, TestBlobber, Owner) {
    let ledger = try await TestLedger.start(challengeInterval: challengeInterval)
    let blobber = try await TestBlobber.start(ledger: ledger.url, extra: blobberExtra)
    let ownerKey = SigningKey.generate()
    try await ledger.fund(ownerKey)
    let allocation = try await ledger.createAllocation(
        owner: ownerKey, blobbers: [blobber.id], dataShards: dataShards, size: size, lifetime: lifetime)
    return (ledger, blobber, Owner(key: ownerKey, allocation: allocation, blobber: blobber))
}

func stopAll(_ ledger: TestLedger, _ blobbers: TestBlobber...) async {
    for blobber in blobbers { await blobber.process.stop() }
    await ledger.stop()
}

@Suite("Blobber commits", .timeLimit(.minutes(2)))
struct CommitTests {
    @Test("upload resumes at an offset, commit puts, reads verify, delete and rollback restore the root exactly")
    func uploadCommitReadRollback() async throws {
        let (ledger, blobber, start) = try await startAllocation()
        var owner = start
        defer { Task { await stopAll(ledger, blobber) } }

        // Upload 3 blocks in two requests: the first ends mid-block, so only whole blocks count.
        let bytes = shardBytes(3, seed: 1)
        let first = try await owner.upload("u1", Array(bytes[..<100_000]), shardSize: bytes.count)
        #expect(first.status == 200)
        let partial = try first.decode(UploadStatus.self)
        #expect(partial.received == 65536 && !partial.complete && partial.shardRoot == nil)
        let status = try await owner.request(.GET, "\(owner.base)/uploads/u1").decode(UploadStatus.self)
        #expect(status == partial)
        let rest = try await owner.upload("u1", Array(bytes[65536...]), shardSize: bytes.count, offset: 65536)
        let done = try rest.decode(UploadStatus.self)
        let fileA = entry("/docs/a.bin", bytes)
        #expect(done.complete && done.shardRoot == fileA.shardRoot && done.blockCount == 3)

        // Commit a put.
        let put = try await owner.commit([.put(uploadID: "u1", entry: fileA)])
        #expect(put.status == 200, "\(put.code ?? "")")
        let committed = try put.decode(CommitResponse.self)
        #expect(committed.sequence == 1 && committed.allocationRoot == owner.trie.root)
        var state = try await owner.state()
        #expect(state.head.allocationRoot == owner.trie.root && state.head.fileMetaRoot == owner.meta.root)
        #expect(state.storedBytes == 3 * 65536 && state.fileCount == 1 && state.canUndo)
        #expect(try await owner.request(.GET, "\(owner.base)/uploads/u1").code == "upload.unknown")

        // Read the file entry with its proof against the signed root.
        let file = try await owner.request(.GET, "\(owner.base)/file?path=/docs/a.bin").decode(FileResponse.self)
        #expect(file.entry == fileA)
        let marker = try #require(file.marker)
        #expect(owner.key.publicKey.isValidSignature(try #require(marker.signature), over: marker.hash))
        #expect(try file.proof.computedRoot() == marker.allocationRoot)

        // Blocks 1..<3 with a range proof against the shard root.
        let blocks = try await owner.request(.GET, "\(owner.base)/blocks?path=/docs/a.bin&start=1&count=2")
        #expect(blocks.status == 200)
        #expect(blocks.body == Array(bytes[65536...]))
        let proofHex = try #require(blocks.headers.first(name: "x-blob-range-proof"))
        let proof = try ShardRangeProof(
            start: 1, count: 2, leafCount: 3, serializedHashes: try #require(Hex.decode(proofHex)))
        try proof.verify(concatenatedBlocks: blocks.body, against: fileA.shardRoot)
        #expect(
            try await owner.request(.GET, "\(owner.base)/blocks?path=/docs/a.bin&start=2&count=2").code
                == "read.bad_range")

        // A second file, a listing, then a rename.
        let bytesB = shardBytes(1, seed: 2)
        #expect(try await owner.upload("u2", bytesB).status == 200)
        let fileB = entry("/docs/sub/b.bin", bytesB)
        #expect(try await owner.commit([.put(uploadID: "u2", entry: fileB)]).status == 200)
        let list = try await owner.request(.GET, "\(owner.base)/list?path=/docs").decode(ListResponse.self)
        #expect(list.files.map(\.path) == ["/docs/a.bin"] && list.directories == ["sub/"])
        var renamed = fileB
        renamed.path = "/b.bin"
        #expect(
            try await owner.commit([.rename(from: try RemotePath("/docs/sub/b.bin"), entry: renamed)]).status == 200)
        #expect(try await owner.request(.GET, "\(owner.base)/file?path=/docs/sub/b.bin").code == "read.not_found")

        // Delete, then roll the delete back: the previous root, exactly.
        let beforeDelete = try await owner.state()
        let delete = try await owner.commit([.delete(path: try RemotePath("/docs/a.bin"))])
        #expect(delete.status == 200)
        state = try await owner.state()
        #expect(state.storedBytes == 65536 && state.fileCount == 1)
        let undo = try await owner.rollback()
        #expect(undo.status == 200, "\(undo.code ?? "")")
        state = try await owner.state()
        #expect(state.head.allocationRoot == beforeDelete.head.allocationRoot)
        #expect(state.head.fileMetaRoot == beforeDelete.head.fileMetaRoot)
        #expect(state.storedBytes == beforeDelete.storedBytes && state.head.sequence == 5 && !state.canUndo)
        let restored = try await owner.request(.GET, "\(owner.base)/blocks?path=/docs/a.bin&start=0&count=3")
        #expect(restored.body == bytes)
        // One step of undo only.
        #expect(try await owner.rollback().code == "rollback.nothing_to_undo")
    }

    @Test("proofs let the owner compute the new roots from a partial trie")
    func proofsForPartialTrie() async throws {
        let (ledger, blobber, start) = try await startAllocation()
        var owner = start
        defer { Task { await stopAll(ledger, blobber) } }
        for index in 0..<5 {
            let bytes = shardBytes(1, seed: UInt8(index))
            #expect(try await owner.upload("p\(index)", bytes).status == 200)
            #expect(
                try await owner.commit([.put(uploadID: "p\(index)", entry: entry("/f\(index)", bytes))]).status == 200)
        }
        let paths = ["/f2", "/new"]
        let reply = try await owner.request(
            .POST, "\(owner.base)/proofs", body: TransactionCoding.encode(ProofsRequest(paths: paths)))
        let proofs = try reply.decode(ProofsResponse.self)
        #expect(proofs.head.allocationRoot == owner.trie.root)
        var partial = try PartialTrie(root: proofs.head.allocationRoot, proofs: paths.map { proofs.proofs[$0]! })
        let bytes = shardBytes(2, seed: 9)
        let newEntry = entry("/new", bytes)
        partial.set(newEntry)
        partial.remove(path: "/f2")
        var full = owner.trie
        full.set(newEntry)
        _ = full.remove(path: "/f2")
        #expect(try partial.newRoot() == full.root)
    }
}

@Suite("Blobber allocations", .timeLimit(.minutes(2)))
struct ManyAllocationsTests {
    @Test("several allocations on one blobber commit in parallel and keep separate roots")
    func parallelAllocations() async throws {
        let (ledger, blobber, first) = try await startAllocation()
        var owners = [first]
        for _ in 0..<3 {
            let key = SigningKey.generate()
            try await ledger.fund(key)
            let id = try await ledger.createAllocation(owner: key, blobbers: [blobber.id])
            owners.append(Owner(key: key, allocation: id, blobber: blobber))
        }
        let finished = try await withThrowingTaskGroup(of: Owner.self) { group in
            for (index, owner) in owners.enumerated() {
                group.addTask {
                    var owner = owner
                    for round in 0..<4 {
                        try await owner.put(
                            "/o\(index)/f\(round)", blocks: 1 + round % 2, seed: UInt8(index * 16 + round))
                    }
                    return owner
                }
            }
            var out = [Owner]()
            for try await owner in group { out.append(owner) }
            return out
        }
        #expect(finished.count == owners.count)
        for owner in finished {
            let state = try await owner.state()
            #expect(state.head.sequence == 4 && state.head.allocationRoot == owner.trie.root && state.fileCount == 4)
        }
        #expect(Set(finished.map(\.trie.root)).count == owners.count)
        await stopAll(ledger, blobber)
    }
}
