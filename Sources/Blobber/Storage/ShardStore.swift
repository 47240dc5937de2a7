import Foundation
import NIOCore
import Synchronization
import Merkle
import StorageProtocol

/// Shard bytes on disk, outside SQLite.
///
/// - staged uploads: `staging/<allocation>/<upload id>` (the bytes) and `<upload id>.leaves`
///   (`u64be(shard size) ‖ leaf hash ‖ leaf hash ‖ …`, one 32-byte leaf per whole block received);
/// - committed shards, content-addressed: `shards/<allocation>/<shard root hex>` and `<root>.leaves`
///   in the same format, so proofs never rehash a shard.
///
/// A staged upload's `received` is the number of leaves kept × 65 536: bytes of a block whose leaf was
/// not written yet are simply received again.
public struct ShardStore: Sendable {
    public let root: String
    static let headerBytes = 8
    /// Trees of recently read shards (64 MiB holds the trees of about a million blocks, 64 GiB of shards).
    let trees = ShardTreeCache(capacityBytes: 64 << 20)
    /// The last walk of the data folder: `/v1/info` and `/metrics` answer from it.
    let usage: DiskUsage

    /// `usageMaxAge` bounds how far `/v1/info` and `/metrics` may lag behind uploads still streaming in.
    public init(root: String, usageMaxAge: Duration = .seconds(2)) {
        self.root = root
        self.usage = DiskUsage(maxAge: usageMaxAge)
    }

    func stagingDirectory(_ allocation: AllocationID) -> String { "\(root)/staging/\(allocation.hex)" }
    func shardDirectory(_ allocation: AllocationID) -> String { "\(root)/shards/\(allocation.hex)" }
    func stagedDataPath(_ allocation: AllocationID, _ upload: String) -> String {
        "\(stagingDirectory(allocation))/\(upload)"
    }
    func shardPath(_ allocation: AllocationID, _ shardRoot: Hash) -> String {
        "\(shardDirectory(allocation))/\(shardRoot.hex)"
    }

    /// A staged upload as its files describe it.
    struct Staged {
        var shardSize: UInt64
        var leaves: [Hash]
        var received: UInt64 { UInt64(leaves.count) * UInt64(ShardTree.blockSize) }
        var complete: Bool { received == shardSize }

        func status(id: String) -> UploadStatus {
            guard complete else {
                return UploadStatus(uploadID: id, received: received, complete: false, shardRoot: nil, blockCount: nil)
            }
            return UploadStatus(
                uploadID: id, received: received, complete: true, shardRoot: ShardTree(leaves: leaves).root,
                blockCount: UInt64(leaves.count))
        }
    }

    /// Reads a `.leaves` file: the announced shard size and the leaf hashes.
    static func readLeaves(_ path: String) throws -> (shardSize: UInt64, leaves: [Hash])? {
        guard ShardFile.exists(path) else { return nil }
        let file = try ShardFile(path: path, mode: .read)
        let length = file.length
        guard length >= headerBytes else { return nil }
        let count = (length - headerBytes) / Hash.byteCount
        var bytes = [UInt8](repeating: 0, count: headerBytes + count * Hash.byteCount)
        try bytes.withUnsafeMutableBytes { raw in try file.read(into: raw, at: 0) }
        let shardSize = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (shardSize, try ShardTree.decodeHashes(bytes[headerBytes...]))
    }

    /// The staged upload's state, read on the thread pool.
    func staged(_ allocation: AllocationID, _ upload: String) async throws -> Staged? {
        try await BlockingIO.run { try stagedNow(allocation, upload) }
    }

    /// The staged upload's state, read on the calling thread (a job already on the thread pool).
    func stagedNow(_ allocation: AllocationID, _ upload: String) throws -> Staged? {
        guard let (size, leaves) = try Self.readLeaves(stagedDataPath(allocation, upload) + ".leaves") else {
            return nil
        }
        let whole = Int(size / UInt64(ShardTree.blockSize))
        return Staged(shardSize: size, leaves: Array(leaves.prefix(whole)))
    }

    /// Leaf hashes of a committed shard.
    func leaves(_ allocation: AllocationID, _ shardRoot: Hash) throws -> [Hash] {
        let path = shardPath(allocation, shardRoot) + ".leaves"
        guard let (_, leaves) = try Self.readLeaves(path) else {
            throw StorageError.corrupt(path: path, reason: "missing leaf hashes")
        }
        return leaves
    }

    /// The tree of a committed shard, from the cache or built from its leaf hashes (read on the thread pool).
    func tree(_ allocation: AllocationID, _ shardRoot: Hash) async throws -> ShardTree {
        let key = ShardTreeCache.Key(allocation: allocation, shardRoot: shardRoot)
        if let cached = trees.cached(key) { return cached }
        return try await BlockingIO.run { try treeNow(allocation, shardRoot) }
    }

    func treeNow(_ allocation: AllocationID, _ shardRoot: Hash) throws -> ShardTree {
        try trees.tree(ShardTreeCache.Key(allocation: allocation, shardRoot: shardRoot)) {
            let tree = ShardTree(leaves: try leaves(allocation, shardRoot))
            guard tree.root == shardRoot else {
                throw StorageError.corrupt(
                    path: shardPath(allocation, shardRoot) + ".leaves", reason: "leaf hashes do not give the shard root"
                )
            }
            return tree
        }
    }

    /// Blocks `[start, start + count)` of a committed shard, read straight into a buffer for the answer on
    /// the thread pool.
    func readBlocks(
        _ allocation: AllocationID, _ shardRoot: Hash, start: Int, count: Int, allocator: ByteBufferAllocator
    ) async throws -> ByteBuffer {
        try await BlockingIO.run {
            try readBlocksNow(allocation, shardRoot, start: start, count: count, allocator: allocator)
        }
    }

    func readBlocksNow(
        _ allocation: AllocationID, _ shardRoot: Hash, start: Int, count: Int, allocator: ByteBufferAllocator
    ) throws -> ByteBuffer {
        let file = try ShardFile(path: shardPath(allocation, shardRoot), mode: .read)
        let length = count * ShardTree.blockSize
        var buffer = allocator.buffer(capacity: length)
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { raw in
            try file.read(
                into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<length]), at: start * ShardTree.blockSize)
            return length
        }
        return buffer
    }

    /// Moves complete staged uploads into the committed shards (renames; a shard with the same root
    /// already there is the same bytes), then syncs both folders once.
    func promote(_ allocation: AllocationID, uploads: [(upload: String, root: Hash)]) throws(StorageError) {
        guard !uploads.isEmpty else { return }
        for (upload, root) in uploads { try promote(allocation, upload: upload, shardRoot: root) }
        try ShardFile.syncDirectory(shardDirectory(allocation))
        try ShardFile.syncDirectory(stagingDirectory(allocation))
        usage.invalidate()
    }

    /// Moves one complete staged upload into the committed shards; the caller syncs the folders. A shard
    /// already stored under the same root is replaced: the upload was hashed as it arrived, so its bytes are
    /// the root's, while the stored copy may have been damaged on disk since (this is how a client heals a
    /// shard, docs/PROTOCOL.md section 8 "Commit"). Readers holding the old file open keep reading it.
    private func promote(_ allocation: AllocationID, upload: String, shardRoot: Hash) throws(StorageError) {
        let source = stagedDataPath(allocation, upload)
        let target = shardPath(allocation, shardRoot)
        try ShardFile.makeDirectory(shardDirectory(allocation))
        try ShardFile.rename(source + ".leaves", to: target + ".leaves")
        try ShardFile.rename(source, to: target)
    }

    func dropStaged(_ allocation: AllocationID, _ upload: String) {
        ShardFile.remove(stagedDataPath(allocation, upload))
        ShardFile.remove(stagedDataPath(allocation, upload) + ".leaves")
        usage.invalidate()
    }

    /// Removes committed shard files of `allocation` that no entry version refers to. Returns bytes freed.
    @discardableResult
    func collect(_ allocation: AllocationID, keeping live: Set<Hash>) -> UInt64 {
        let directory = shardDirectory(allocation)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return 0 }
        var freed: UInt64 = 0
        for name in names {
            let rootText = name.hasSuffix(".leaves") ? String(name.dropLast(7)) : name
            guard let root = Hash(hex: rootText), !live.contains(root) else { continue }
            let path = directory + "/" + name
            freed += (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0
            ShardFile.remove(path)
        }
        if freed > 0 { usage.invalidate() }
        return freed
    }

    /// Removes staged uploads untouched for `lifetime` seconds.
    @discardableResult
    func collectStaging(olderThan lifetime: Double, now: Date = Date()) -> Int {
        let base = "\(root)/staging"
        guard let allocations = try? FileManager.default.contentsOfDirectory(atPath: base) else { return 0 }
        var removed = 0
        for allocation in allocations {
            let directory = base + "/" + allocation
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                let path = directory + "/" + name
                guard
                    let modified = try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date,
                    now.timeIntervalSince(modified) > lifetime
                else { continue }
                ShardFile.remove(path)
                removed += 1
            }
        }
        if removed > 0 { usage.invalidate() }
        return removed
    }

    /// Bytes under the data folder's shard and staging folders: exact after any commit, removal or
    /// collection, and at most `usage.maxAge` behind uploads still streaming in.
    func diskUsed() -> UInt64 {
        usage.value { walkDiskUsed() }
    }

    /// Shard bytes received by staged uploads not committed yet (their data files, without the `.leaves`
    /// files); walked on every call.
    func stagedBytes() -> UInt64 {
        walk(["staging"], counting: { !$0.hasSuffix(".leaves") })
    }

    private func walkDiskUsed() -> UInt64 {
        walk(["shards", "staging"], counting: { _ in true })
    }

    /// The sizes of the regular files under `folders` of the data folder whose names `counts` takes.
    private func walk(_ folders: [String], counting counts: (String) -> Bool) -> UInt64 {
        var total: UInt64 = 0
        for sub in folders {
            guard let enumerator = FileManager.default.enumerator(atPath: "\(root)/\(sub)") else { continue }
            while let name = enumerator.nextObject() as? String {
                let attributes = enumerator.fileAttributes
                if attributes?[.type] as? FileAttributeType == .typeRegular, counts(name) {
                    total += attributes?[.size] as? UInt64 ?? 0
                }
            }
        }
        return total
    }
}

/// A figure that costs a walk of the data folder, kept until something changes it or it grows old, so
/// frequent `/v1/info` and `/metrics` requests cost one walk per `maxAge` at most.
final class DiskUsage: Sendable {
    let maxAge: Duration
    private struct State {
        var generation = 0
        var kept: (bytes: UInt64, at: ContinuousClock.Instant, generation: Int)?
    }
    private let state = Mutex(State())

    init(maxAge: Duration) {
        self.maxAge = maxAge
    }

    /// Marks the kept figure stale, including one a walk running now is about to keep.
    func invalidate() {
        state.withLock { $0.generation += 1 }
    }

    /// The kept figure, or a fresh one from `walk` when it is stale or older than `maxAge`.
    func value(_ walk: () -> UInt64) -> UInt64 {
        let now = ContinuousClock.now
        let (kept, generation) = state.withLock { state -> (UInt64?, Int) in
            guard let kept = state.kept, kept.generation == state.generation, now - kept.at < maxAge else {
                return (nil, state.generation)
            }
            return (kept.bytes, state.generation)
        }
        if let kept { return kept }
        let bytes = walk()
        state.withLock { $0.kept = (bytes, now, generation) }
        return bytes
    }
}
