import Foundation
import Merkle
public import StorageProtocol

/// Whole-tree operations over `list(_:recursive:)`: what `blob download -r`, `blob rm -r`, `blob cp`
/// and the overwrite checks of `blob upload` and `blob mv` call, and what a mount or gateway would.
extension BlobClient {
    /// What `download(tree:to:)` did.
    public struct TreeDownload: Sendable, Codable {
        /// The remote directory, ending in `/`.
        public var path: String
        public var local: String
        /// Remote paths downloaded, sorted.
        public var files: [String]
        public var bytes: UInt64
        public var seconds: Double
    }

    /// Downloads every file below remote `directory` into local folder `localDirectory` at the same
    /// relative paths, creating folders as needed. Each file goes through `download(_:to:)`: verified,
    /// written beside and renamed into place (a symbolic link on the way is refused, never followed).
    /// `progress` hears the bytes written in all and the bytes wanted in all.
    public func download(
        tree directory: String, to localDirectory: String,
        progress: (@Sendable (_ written: UInt64, _ total: UInt64) -> Void)? = nil
    ) async throws(ClientError) -> TreeDownload {
        let clock = ContinuousClock()
        let start = clock.now
        let listing = try await list(directory, recursive: true)
        guard !listing.files.isEmpty else { throw .remoteNotFound(path: listing.path) }
        let total = listing.files.reduce(UInt64(0)) { $0 + UInt64(clamping: $1.size) }
        var done: UInt64 = 0
        var bytes: UInt64 = 0
        for entry in listing.files {
            let relative = String(entry.path.dropFirst(listing.path.count))
            let local = localDirectory + "/" + relative
            let folder = (local as NSString).deletingLastPathComponent
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw .localFile(path: folder, reason: "cannot create the folder (\(error.localizedDescription))")
            }
            let before = done
            let report = try await download(try RemotePath.parse(entry.path), to: local) { written, _ in
                progress?(before + written, total)
            }
            bytes += report.bytes
            done += UInt64(clamping: entry.size)
        }
        return TreeDownload(
            path: listing.path, local: localDirectory, files: listing.files.map(\.path), bytes: bytes,
            seconds: (clock.now - start).seconds)
    }

    /// Deletes every file below each remote directory of `directories`, all in one commit per blobber
    /// (directories exist only through the files below them, so none is left). A name that is a file
    /// rather than a directory is deleted itself. Returns the paths deleted, sorted.
    @discardableResult
    public func delete(trees directories: [String]) async throws(ClientError) -> [String] {
        var paths = Set<RemotePath>()
        for directory in directories {
            let listing = try await list(directory, recursive: true)
            if listing.files.isEmpty {
                // Not a directory: a file of that name, or nothing.
                let file = try RemotePath.parse(directory)
                guard try await existing([file]).isEmpty == false else { throw .remoteNotFound(path: directory) }
                paths.insert(file)
            }
            for entry in listing.files { paths.insert(try RemotePath.parse(entry.path)) }
        }
        guard paths.count <= ProofsRequest.maxPaths else {
            throw .invalidArgument(
                "that is \(paths.count) files; one commit takes at most \(ProofsRequest.maxPaths): delete fewer directories at a time"
            )
        }
        let sorted = paths.sorted()
        try await delete(sorted)
        return sorted.map(\.string)
    }

    /// Which of `paths` exist as files, as at least `k` blobbers list them (one listing per parent
    /// directory). Uploads, renames and copies that must not replace a file check this first.
    public func existing(_ paths: [RemotePath]) async throws(ClientError) -> [RemotePath] {
        let wanted = Set(paths)
        var found: [RemotePath] = []
        for directory in Set(paths.map(\.directory)).sorted() {
            let listing: FileOperations.Listing
            do throws(ClientError) {
                listing = try await FileOperations(session: session).list(directory)
            } catch .tooFewGoodBlobbers {
                // Fewer than k blobbers answer, so fewer than k + 1 could commit: the write that asked
                // fails on its own terms (client.consensus_failed), not on this question.
                continue
            }
            for entry in listing.files {
                if let path = try? RemotePath(entry.path), wanted.contains(path) { found.append(path) }
            }
        }
        return found.sorted()
    }

    /// Copies remote file `from` to `to` (replacing a file there) in one commit per blobber: read and
    /// verified block by block and re-uploaded as it is read (`read` into `write`), never held whole.
    /// An encrypted file stays encrypted, under a fresh key. Shards cannot be reused: a blobber keeps
    /// one shard per file entry, so the copy is new data.
    @discardableResult
    public func copy(_ from: RemotePath, to: RemotePath) async throws(ClientError) -> Uploader.Report {
        let entry = try await stat(from)
        return try await write(
            to, from: ByteSource(size: UInt64(clamping: entry.size), read(from)), encrypt: !entry.encryption.isEmpty)
    }
}
