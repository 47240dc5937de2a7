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
    private let busy = Mutex<Set<String>>([])

    public init(store: ShardStore) {
        self.store = store
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
        let key = "\(allocation.hex)/\(upload)"
        guard busy.withLock({ $0.insert(key).inserted }) else { throw BlobberError.uploadBusy(upload) }
        defer { _ = busy.withLock { $0.remove(key) } }

        let dataPath = store.stagedDataPath(allocation, upload)
        let leavesPath = dataPath + ".leaves"
        var leaves: [Hash]
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
            // The upload stays where it was before this request.
            try data.truncate(to: Int(offset))
            try leafFile.truncate(to: ShardStore.headerBytes + startLeaves * Hash.byteCount)
            throw BlobberError.uploadTooLarge(shardSize: size)
        } catch {
            // A body that ends early keeps every whole block.
            try? data.truncate(to: persisted * ShardTree.blockSize)
            throw error
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
        let key = "\(allocation.hex)/\(upload)"
        guard busy.withLock({ $0.insert(key).inserted }) else { throw BlobberError.uploadBusy(upload) }
        defer { _ = busy.withLock { $0.remove(key) } }
        guard try store.staged(allocation, upload) != nil else { return false }
        store.dropStaged(allocation, upload)
        return true
    }
}
