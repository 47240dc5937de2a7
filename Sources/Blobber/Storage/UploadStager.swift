import Foundation
public import Merkle
import NIOCore
public import StorageProtocol
import Synchronization

/// Receives shard uploads: bytes are written where they belong and hashed into the shard tree as they
/// arrive, and each whole block's leaf hash is appended to the `.leaves` file, so an interrupted upload
/// resumes at its last whole block and a shard is never held in memory.
public final class UploadStager: Sendable {
    let store: ShardStore
    /// Uploads receiving bytes (or being dropped) now, and how many per allocation.
    private struct Busy {
        var uploads: Set<String> = []
        var perAllocation: [AllocationID: Int] = [:]
    }
    private let busy = Mutex(Busy())
    /// At most this many uploads of one allocation receive bytes at once.
    let maxReceiving: Int

    public init(store: ShardStore, maxReceiving: Int = 256) {
        self.store = store
        self.maxReceiving = maxReceiving
    }

    /// Marks `upload` busy; false when it already is, or (`counted`) when its allocation has
    /// `maxReceiving` uploads receiving.
    private func claim(_ allocation: AllocationID, _ upload: String, counted: Bool) -> Bool {
        busy.withLock { busy in
            if counted, busy.perAllocation[allocation, default: 0] >= maxReceiving { return false }
            guard busy.uploads.insert("\(allocation.hex)/\(upload)").inserted else { return false }
            busy.perAllocation[allocation, default: 0] += 1
            return true
        }
    }

    private func release(_ allocation: AllocationID, _ upload: String) {
        busy.withLock { busy in
            busy.uploads.remove("\(allocation.hex)/\(upload)")
            let left = busy.perAllocation[allocation, default: 1] - 1
            busy.perAllocation[allocation] = left > 0 ? left : nil
        }
    }

    /// The staged state of an upload, nil when there is none.
    public func status(_ allocation: AllocationID, _ upload: String) throws -> UploadStatus? {
        try store.staged(allocation, upload)?.status(id: upload)
    }

    /// Streams `body` into upload `upload` starting at `offset`. `freeShare` bounds a new upload's size.
    func receive<Body: AsyncSequence>(
        _ allocation: AllocationID, upload: String, shardSize: UInt64, offset: UInt64, freeShare: UInt64,
        body: Body, counted: @Sendable (Int) -> Void = { _ in }
    ) async throws -> UploadStatus where Body.Element == ByteBuffer {
        guard UploadStatus.isValidID(upload) else { throw BlobberError.badUploadID(upload) }
        let blockSize = UInt64(ShardTree.blockSize)
        guard shardSize > 0, shardSize % blockSize == 0 else {
            throw BlobberError.badLength("x-blob-shard-size \(shardSize) must be a positive multiple of 65536")
        }
        guard claim(allocation, upload, counted: true) else { throw BlobberError.uploadBusy(upload) }
        defer { release(allocation, upload) }

        let dataPath = store.stagedDataPath(allocation, upload)
        let leavesPath = dataPath + ".leaves"
        var leaves: [Hash]
        // Whether this request created the upload: a refused or empty first request leaves nothing behind.
        var created = false
        if let staged = try store.staged(allocation, upload) {
            guard staged.shardSize == shardSize else {
                throw BlobberError.badLength("upload \(upload) was started with shard size \(staged.shardSize)")
            }
            guard offset == staged.received else {
                throw BlobberError.offsetMismatch(expected: staged.received, got: offset)
            }
            leaves = staged.leaves
        } else {
            guard offset == 0 else { throw BlobberError.offsetMismatch(expected: 0, got: offset) }
            guard shardSize <= freeShare else {
                throw BlobberError.capacityExceeded(requested: shardSize, free: freeShare)
            }
            try ShardFile.makeDirectory(store.stagingDirectory(allocation))
            let header = try ShardFile(path: leavesPath, mode: .write)
            try header.truncate(to: 0)
            try withUnsafeBytes(of: shardSize.bigEndian) { raw in try header.write(raw, at: 0) }
            leaves = []
            created = true
        }
        let data = try ShardFile(path: dataPath, mode: .write)
        let leafFile = try ShardFile(path: leavesPath, mode: .write)
        let startLeaves = leaves.count
        try data.truncate(to: Int(offset))
        try leafFile.truncate(to: ShardStore.headerBytes + startLeaves * Hash.byteCount)

        var builder = ShardTreeBuilder(resumingAfter: leaves)
        var position = offset
        var persisted = startLeaves
        do {
            for try await buffer in body {
                let count = buffer.readableBytes
                guard position + UInt64(count) <= shardSize else {
                    throw BlobberError.uploadTooLarge(shardSize: shardSize)
                }
                try buffer.withUnsafeReadableBytes { raw in
                    try data.write(raw, at: Int(position))
                    builder.append(raw)
                }
                counted(count)
                position += UInt64(count)
                let completed = builder.completedLeaves.count
                if completed > persisted {
                    let bytes = ShardTree.encodeHashes(Array(builder.completedLeaves[persisted..<completed]))
                    try bytes.withUnsafeBytes { raw in
                        try leafFile.write(raw, at: ShardStore.headerBytes + persisted * Hash.byteCount)
                    }
                    persisted = completed
                }
            }
        } catch BlobberError.uploadTooLarge(let size) {
            // The upload stays where it was before this request (none, if this request started it).
            if created {
                store.dropStaged(allocation, upload)
                throw BlobberError.uploadTooLarge(shardSize: size)
            }
            try data.truncate(to: Int(offset))
            try leafFile.truncate(to: ShardStore.headerBytes + startLeaves * Hash.byteCount)
            throw BlobberError.uploadTooLarge(shardSize: size)
        } catch {
            // A body that ends early keeps every whole block; one that brought none leaves no new upload.
            if created, persisted == 0 {
                store.dropStaged(allocation, upload)
            } else {
                try? data.truncate(to: persisted * ShardTree.blockSize)
            }
            // The body stream's own error (the connection closed before `Content-Length` bytes) is the
            // client's doing: a 400, not an internal error. Storage failures keep their codes.
            if error is any CodedError || error is StorageError || error is CancellationError { throw error }
            throw BlobberError.malformed("the body ended before its declared length")
        }
        if UInt64(persisted) * blockSize == shardSize {
            try data.sync()
            try leafFile.sync()
        } else {
            try data.truncate(to: persisted * ShardTree.blockSize)
        }
        // What the files now hold, from the leaves in hand rather than read back.
        return ShardStore.Staged(shardSize: shardSize, leaves: Array(builder.completedLeaves[..<persisted]))
            .status(id: upload)
    }

    /// Drops a staged upload. False when there was none.
    public func drop(_ allocation: AllocationID, _ upload: String) throws -> Bool {
        guard UploadStatus.isValidID(upload) else { throw BlobberError.badUploadID(upload) }
        guard claim(allocation, upload, counted: false) else { throw BlobberError.uploadBusy(upload) }
        defer { release(allocation, upload) }
        guard try store.staged(allocation, upload) != nil else { return false }
        store.dropStaged(allocation, upload)
        return true
    }
}
