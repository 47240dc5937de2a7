public import StorageProtocol

/// Changes committed together, one commit per blobber (`BlobClient.commit`): files written, files
/// deleted, files renamed. A path may appear once in a batch; at most `ProofsRequest.maxPaths` paths.
public struct Batch: Sendable {
    public var uploads: [Uploader.Item]
    public var deletes: [RemotePath]
    public var renames: [(from: RemotePath, to: RemotePath)]

    public init(
        uploads: [Uploader.Item] = [], deletes: [RemotePath] = [], renames: [(from: RemotePath, to: RemotePath)] = []
    ) {
        self.uploads = uploads
        self.deletes = deletes
        self.renames = renames
    }

    public var isEmpty: Bool { uploads.isEmpty && deletes.isEmpty && renames.isEmpty }

    /// Writes `bytes` to `path`.
    public mutating func write(_ path: RemotePath, from bytes: ByteSource) {
        uploads.append(Uploader.Item(remotePath: path, bytes: bytes))
    }

    /// Uploads the local file `localPath` to `path`.
    public mutating func upload(_ localPath: String, to path: RemotePath) {
        uploads.append(Uploader.Item(localPath: localPath, remotePath: path))
    }

    public mutating func delete(_ path: RemotePath) {
        deletes.append(path)
    }

    public mutating func rename(_ from: RemotePath, to: RemotePath) {
        renames.append((from, to))
    }
}
