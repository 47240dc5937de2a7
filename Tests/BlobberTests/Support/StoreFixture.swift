@testable import Blobber
import Foundation
import Merkle
import NIOCore
import StorageProtocol
import TestProcesses
import Testing

/// One allocation on a real SQLite file and shard folder.
struct StoreFixture {
    let folder = temporaryDirectory("store")
    let owner = SigningKey.generate()
    let blobber = SigningKey.generate()
    let database: BlobberDatabase
    let shards: ShardStore
    let stager: UploadStager
    let info: AllocationInfo

    init() throws {
        database = try BlobberDatabase(path: folder + "/blobber.sqlite")
        // Disk usage is walked again only after a change (never merely because a slow machine took time).
        shards = ShardStore(root: folder, usageMaxAge: .seconds(3600))
        stager = UploadStager(store: shards)
        let now = nowMillis()
        info = AllocationInfo(
            id: AllocationID(SHA256.hash(Array(folder.utf8))), blobberID: blobber.publicKey.blobberID,
            ownerKey: owner.publicKey, dataShards: 1, size: 1 << 30, share: 1 << 30, createdAt: now - 1000,
            expiry: now + 3_600_000)
        try database.insertAllocation(info)
    }

    func open() throws -> AllocationStore {
        let (loaded, persisted) = try #require(try database.allocation(info.id, blobber: info.blobberID))
        return try AllocationStore(info: loaded, persisted: persisted, database: database, stager: stager)
    }

    @discardableResult
    func stage(_ id: String, _ bytes: [UInt8]) async throws -> UploadStatus {
        let body = AsyncStream<ByteBuffer> {
            $0.yield(ByteBuffer(bytes: bytes))
            $0.finish()
        }
        return try await stager.receive(
            info.id, upload: id, shardSize: UInt64(bytes.count), offset: 0, freeShare: .max, body: body)
    }

    func marker(
        after head: BlobberHead, trie: AllocationTrie, meta: AllocationTrie, size: Int64, timestamp: Int64 = nowMillis()
    ) -> WriteMarker {
        WriteMarker(
            allocationID: info.id, blobberID: info.blobberID, clientID: owner.publicKey.clientID,
            sequence: head.sequence + 1, allocationRoot: trie.root, previousAllocationRoot: head.allocationRoot,
            fileMetaRoot: meta.root, size: size, chainSize: UInt64(Int64(head.chainSize) + size),
            chainHash: WriteMarker.chainHash(previous: head.chainHash, root: trie.root), timestamp: timestamp
        ).signed(with: owner)
    }
}
