public import Merkle
public import NIOCore
public import StorageProtocol

/// What the HTTP routes ask of an allocation besides commits: uploads, listings, block reads and its state.
/// None of these change the tries, so they run off the actor where they can (a block read does not wait
/// for a commit).
extension AllocationStore {
    /// Streams `body` into upload `upload` from `offset`; a new upload must fit in the free share.
    nonisolated func receive<Body: AsyncSequence>(
        upload: String, shardSize: UInt64, offset: UInt64, body: Body, counted: @Sendable (Int) -> Void = { _ in }
    ) async throws -> UploadStatus where Body.Element == ByteBuffer {
        let stored = await settledStoredBytes()
        return try await stager.receive(
            info.id, upload: upload, shardSize: shardSize, offset: offset,
            freeShare: info.share > stored ? info.share - stored : 0, body: body, counted: counted)
    }

    /// The staged state of `upload`, nil when there is none.
    public nonisolated func uploadStatus(_ upload: String) async throws -> UploadStatus? {
        try await stager.status(info.id, upload)
    }

    /// Drops staged upload `upload`; false when there was none.
    public nonisolated func dropUpload(_ upload: String) async throws -> Bool {
        try await stager.drop(info.id, upload)
    }

    /// The allocation's state with the count of its markers not yet on the ledger.
    public nonisolated func state() async throws -> AllocationStateResponse {
        let pending = try await database.pendingCount(info.id)
        return await state(pendingMarkers: pending)
    }

    /// The files directly in `directory` (ending in `/`) and the names of the directories directly below it.
    public nonisolated func listing(of directory: String) async throws -> ListResponse {
        let below = try await database.entries(info.id, under: directory)
        var files = [FileEntry]()
        var directories = Set<String>()
        for entry in below {
            let rest = entry.path.dropFirst(directory.count)
            if let slash = rest.firstIndex(of: "/") {
                directories.insert(String(rest[..<slash]) + "/")
            } else {
                files.append(entry)
            }
        }
        return ListResponse(path: directory, files: files, directories: directories.sorted())
    }

    /// Blocks `[start, start + count)` of `entry`'s shard (at most 256) with their range proof.
    public nonisolated func blocks(of entry: FileEntry, start: UInt64, count: UInt64) async throws -> (
        proof: ShardRangeProof, bytes: ByteBuffer
    ) {
        guard count >= 1, count <= 256 else { throw BlobberError.badRange(reason: "count must be 1 to 256") }
        guard start < entry.blockCount, count <= entry.blockCount - start else {
            // Neither `start + count` nor any other sum: both came off the wire.
            throw BlobberError.badRange(reason: "\(count) blocks from \(start) run outside 0..<\(entry.blockCount)")
        }
        let tree = try await shards.tree(info.id, entry.shardRoot)
        guard UInt64(tree.blockCount) == entry.blockCount else {
            throw StorageError.corrupt(path: entry.shardRoot.hex, reason: "leaf count differs from the entry")
        }
        let range = Int(start)..<Int(start + count)
        let proof = tree.proof(forBlocks: range)
        let bytes = try await shards.readBlocks(
            info.id, entry.shardRoot, start: range.lowerBound, count: range.count, allocator: ByteBufferAllocator())
        return (proof, bytes)
    }
}
