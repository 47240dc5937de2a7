import Foundation
import GRDB
import Merkle
import NIOCore
import StorageProtocol

/// `blobber bench`: commit latency through the real commit path (trie update, marker checks with a
/// real signature, shard rename + fsyncs, one SQLite transaction on disk) with N files already in the
/// allocation, and the upload path's throughput (hash + pwrite + fdatasync).
public enum BlobberBench {
    public struct Result: Sendable {
        public var name: String
        public var value: Double
        public var unit: String
    }

    public static func run(fileCounts: [Int], commits: Int, uploadMiB: Int) async throws -> [Result] {
        var results = [Result]()
        for count in fileCounts {
            let latencies = try await commitLatencies(existingFiles: count, commits: commits)
            let sorted = latencies.sorted()
            results.append(
                Result(name: "commit_latency_median_\(count)_files", value: sorted[sorted.count / 2], unit: "ms"))
            results.append(
                Result(
                    name: "commit_latency_p90_\(count)_files",
                    value: sorted[min(sorted.count - 1, sorted.count * 9 / 10)], unit: "ms"))
        }
        results.append(
            Result(name: "upload_throughput", value: try await uploadThroughput(mebibytes: uploadMiB), unit: "MB/s"))
        return results
    }

    static func temporaryFolder() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("blobber-bench-\(UUID().uuidString)")
            .path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func uploadThroughput(mebibytes: Int) async throws -> Double {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let stager = UploadStager(store: ShardStore(root: folder))
        let allocation = AllocationID(SHA256.hash(Array("bench".utf8)))
        let chunk = ByteBuffer(repeating: 0x5a, count: 1 << 20)
        let total = UInt64(mebibytes) << 20
        let body = AsyncStream<ByteBuffer> { continuation in
            for _ in 0..<mebibytes { continuation.yield(chunk) }
            continuation.finish()
        }
        let start = ContinuousClock.now
        let status = try await stager.receive(
            allocation, upload: "bench", shardSize: total, offset: 0, freeShare: total, body: body)
        let seconds = Self.seconds(ContinuousClock.now - start)
        precondition(status.complete)
        return Double(total) / 1e6 / seconds
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func commitLatencies(existingFiles: Int, commits: Int) async throws -> [Double] {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let owner = SigningKey.generate()
        let blobber = SigningKey.generate()
        let database = try BlobberDatabase(path: folder + "/blobber.sqlite")
        let shards = ShardStore(root: folder)
        let stager = UploadStager(store: shards)
        let now = BlobberNode.now()
        let info = AllocationInfo(
            id: AllocationID(SHA256.hash(Array("bench-\(existingFiles)".utf8))), blobberID: blobber.publicKey.blobberID,
            ownerKey: owner.publicKey, dataShards: 1, size: 1 << 50, share: 1 << 50, createdAt: now - 1000,
            expiry: now + 3_600_000)
        try await database.insertAllocation(info)

        // Seed `existingFiles` entries sharing one stored block, as one signed commit (sequence 1).
        let block = ByteBuffer(repeating: 7, count: ShardTree.blockSize)
        func stage(_ id: String) async throws -> Hash {
            let body = AsyncStream<ByteBuffer> {
                $0.yield(block); $0.finish()
            }
            let status = try await stager.receive(
                info.id, upload: id, shardSize: UInt64(ShardTree.blockSize), offset: 0, freeShare: .max, body: body)
            return status.shardRoot!
        }
        let seedRoot = try await stage("seed")
        try shards.promote(info.id, uploads: [(upload: "seed", root: seedRoot)])
        let entries = (0..<existingFiles).map { index in
            FileEntry(
                path: "/seed/\(index / 1000)/file-\(index)", size: 1000,
                contentHash: SHA256.hash(Array("\(index)".utf8)),
                shardRoot: seedRoot, blockCount: 1, createdAt: now, updatedAt: now)
        }
        let trie = AllocationTrie(kind: .allocation, entries: entries)
        let meta = AllocationTrie(kind: .fileMeta, entries: entries)
        let stored = UInt64(existingFiles * ShardTree.blockSize)
        let first = WriteMarker(
            allocationID: info.id, blobberID: info.blobberID, clientID: owner.publicKey.clientID, sequence: 1,
            allocationRoot: trie.root, previousAllocationRoot: .zero, fileMetaRoot: meta.root, size: Int64(stored),
            chainSize: stored, chainHash: WriteMarker.chainHash(previous: nil, root: trie.root), timestamp: now
        ).signed(with: owner)
        try database.apply(
            info.id, marker: first, fileMetaRoot: meta.root, added: entries, removedPaths: [], undoSequence: 0,
            undoSize: 0, rollingBack: nil, now: now)

        guard let (loaded, persisted) = try await database.allocation(info.id, blobber: info.blobberID) else {
            throw BlobberError.unknownAllocation(info.id)
        }
        let store = try AllocationStore(info: loaded, persisted: persisted, database: database, stager: stager)
        var shadow = trie
        var shadowMeta = meta
        var latencies = [Double]()
        for index in 0..<commits {
            let upload = "u\(index)"
            let root = try await stage(upload)
            let entry = FileEntry(
                path: "/new/file-\(index)", size: 65536, contentHash: SHA256.hash(Array("new-\(index)".utf8)),
                shardRoot: root, blockCount: 1, createdAt: now, updatedAt: now)
            shadow.set(entry)
            shadowMeta.set(entry)
            let head = await store.head
            let marker = WriteMarker(
                allocationID: info.id, blobberID: info.blobberID, clientID: owner.publicKey.clientID,
                sequence: head.sequence + 1, allocationRoot: shadow.root, previousAllocationRoot: head.allocationRoot,
                fileMetaRoot: shadowMeta.root, size: Int64(ShardTree.blockSize),
                chainSize: head.chainSize + UInt64(ShardTree.blockSize),
                chainHash: WriteMarker.chainHash(previous: head.chainHash, root: shadow.root), timestamp: now
            ).signed(with: owner)
            let start = ContinuousClock.now
            _ = try await store.commit(
                CommitRequest(changes: [.put(uploadID: upload, entry: entry)], marker: marker), now: now)
            latencies.append(seconds(ContinuousClock.now - start) * 1000)
        }
        return latencies
    }
}
