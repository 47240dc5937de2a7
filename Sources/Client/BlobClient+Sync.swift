import Foundation
import Merkle
import StorageProtocol

/// One-way sync between a local folder and a remote directory (`blob sync`): plan what differs, then
/// carry the plan out. A file is unchanged when its size and content hash (SHA-256 of the plaintext,
/// as a `FileEntry`'s `content_hash`) are equal on both sides; the local hash is computed only when the
/// sizes are equal.
extension BlobClient {
    /// Which way a sync copies.
    public enum SyncDirection: String, Sendable, Codable {
        /// Local folder to remote directory.
        case upload
        /// Remote directory to local folder.
        case download
    }

    /// What a sync will do (or, carried out, did): paths relative to both roots, sorted.
    public struct SyncPlan: Sendable, Codable {
        public var direction: SyncDirection
        public var local: String
        /// The remote directory, ending in `/`.
        public var remote: String
        /// Files missing on the receiving side.
        public var added: [String]
        /// Files whose size or content hash differ.
        public var changed: [String]
        /// Files only on the receiving side, removed when the plan mirrors (`--delete`).
        public var deleted: [String]
        /// Files already equal on both sides.
        public var unchanged: Int
        /// Bytes the transfers carry.
        public var bytes: UInt64

        public var isEmpty: Bool { added.isEmpty && changed.isEmpty && deleted.isEmpty }
    }

    /// Compares local folder `local` with remote directory `remote` and plans the copy `direction`
    /// says; with `mirror`, files only on the receiving side are deleted too. Changes nothing.
    public func planSync(
        local: String, remote: String, direction: SyncDirection, mirror: Bool
    ) async throws(ClientError) -> SyncPlan {
        let remoteFiles = try await remoteTree(remote)
        let localFiles = try Self.localTree(local)
        let sending =
            direction == .upload
            ? localFiles.mapValues { $0.size } : remoteFiles.mapValues { UInt64(clamping: $0.size) }
        let receiving = direction == .upload ? Set(remoteFiles.keys) : Set(localFiles.keys)
        var plan = SyncPlan(
            direction: direction, local: local, remote: remote.hasSuffix("/") ? remote : remote + "/", added: [],
            changed: [], deleted: [], unchanged: 0, bytes: 0)
        for (relative, size) in sending.sorted(by: { $0.key < $1.key }) {
            guard let there = remoteFiles[relative], let here = localFiles[relative] else {
                plan.added.append(relative)
                plan.bytes += size
                continue
            }
            if UInt64(clamping: there.size) == here.size, try Self.contentHash(ofLocal: here.path) == there.contentHash {
                plan.unchanged += 1
            } else {
                plan.changed.append(relative)
                plan.bytes += size
            }
        }
        if mirror { plan.deleted = receiving.subtracting(sending.keys).sorted() }
        return plan
    }

    /// Carries out `plan`: an upload sync is one commit per blobber (files written and, mirroring,
    /// deleted together); a download sync fetches each file through `download(_:to:)` and removes local
    /// files the plan deletes. Returns the plan as done; an empty plan does nothing.
    @discardableResult
    public func sync(_ plan: SyncPlan, encrypt: Bool = false) async throws(ClientError) -> SyncPlan {
        guard !plan.isEmpty else { return plan }
        let base = plan.remote == "/" ? "" : String(plan.remote.dropLast())
        switch plan.direction {
        case .upload:
            var batch = Batch()
            for relative in plan.added + plan.changed {
                batch.upload(plan.local + "/" + relative, to: try RemotePath.parse(base + "/" + relative))
            }
            for relative in plan.deleted { batch.delete(try RemotePath.parse(base + "/" + relative)) }
            try await commit(batch, encrypt: encrypt)
        case .download:
            for relative in plan.added + plan.changed {
                let local = plan.local + "/" + relative
                let folder = (local as NSString).deletingLastPathComponent
                do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                    throw .localFile(path: folder, reason: "cannot create the folder (\(error.localizedDescription))")
                }
                _ = try await download(try RemotePath.parse(base + "/" + relative), to: local)
            }
            for relative in plan.deleted {
                let local = plan.local + "/" + relative
                do { try FileManager.default.removeItem(atPath: local) } catch {
                    throw .localFile(path: local, reason: "cannot delete it (\(error.localizedDescription))")
                }
            }
        }
        return plan
    }

    /// Every file below remote `directory` by path relative to it; none when it holds nothing.
    func remoteTree(_ directory: String) async throws(ClientError) -> [String: FileEntry] {
        let listing = try await list(directory, recursive: true)
        return Dictionary(
            listing.files.map { (String($0.path.dropFirst(listing.path.count)), $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Every regular file below local folder `folder` by relative path, with its full path and size;
    /// none when the folder does not exist yet. Symbolic links and special files are left out.
    static func localTree(_ folder: String) throws(ClientError) -> [String: (path: String, size: UInt64)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else { return [:] }
        guard isDirectory.boolValue else { throw .localFile(path: folder, reason: "is not a folder") }
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            throw .localFile(path: folder, reason: "cannot list the folder")
        }
        var files: [String: (path: String, size: UInt64)] = [:]
        while let relative = enumerator.nextObject() as? String {
            let full = folder + "/" + relative
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: full),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            files[relative] = (full, (attributes[.size] as? UInt64) ?? 0)
        }
        return files
    }

    /// SHA-256 of local file `path`, read in 1 MiB pieces.
    static func contentHash(ofLocal path: String) throws(ClientError) -> Hash {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .localFile(path: path, reason: "cannot open it")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let piece: Data
            do { piece = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw .localFile(path: path, reason: error.localizedDescription)
            }
            if piece.isEmpty { break }
            piece.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalize()
    }
}
