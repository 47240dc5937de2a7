import StorageProtocol
import Logging
import Client
import CFuse3
import Foundation
import Merkle

#if canImport(Glibc)
    import Glibc
#endif

extension WriteBackFilesystem {
    /// Lists the allocation, lays the changes a previous mount left in the cache folder over it (a
    /// crash, a failed final flush) and starts the flusher; those changes are committed right away.
    /// Returns how many files the previous mount left uncommitted.
    @discardableResult
    public func start() throws(MountError) -> Int {
        let listing: FileOperations.Listing
        do {
            listing = try Blocking.run { () async throws(ClientError) in
                try await self.client.list("/", recursive: true)
            }
        } catch {
            throw .fuse("cannot list the allocation: \(error)")
        }
        do {
            try FileManager.default.createDirectory(atPath: dataFolder, withIntermediateDirectories: true)
        } catch {
            throw .cache("cannot make the cache folder \(dataFolder): \(error)")
        }
        // One mount per cache folder: two would commit each other's changes.
        let lock = Glibc.open(configuration.cacheFolder + "/lock", O_CREAT | O_RDWR, 0o600)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            if lock >= 0 { close(lock) }
            throw .cache("the cache folder \(configuration.cacheFolder) is in use by another mount")
        }
        // Held (and the descriptor open) until the process ends.
        folderLock = lock
        let manifest = try CacheManifest.load(from: manifestPath)
        if let manifest, manifest.allocation != client.id.hex {
            throw .cache(
                "the cache folder \(configuration.cacheFolder) belongs to allocation \(manifest.allocation); give another --cache"
            )
        }
        state.lock()
        defer { state.unlock() }
        for entry in listing.files {
            let node = Node(
                path: entry.path, origin: entry.path, size: UInt64(max(0, entry.size)),
                modified: entry.updatedAt.multipliedReportingOverflow(by: 1_000_000).partialValue,
                remoteVersion: newVersion())
            node.contentHash = entry.contentHash
            files[entry.path] = node
            baseline.insert(entry.path)
        }
        var recovered = 0
        if let manifest {
            for path in manifest.removed { files[path] = nil }
            for change in manifest.changed {
                if change.dirty {
                    guard let name = change.cache, let size = Self.fileSize(cachePath(name)) else {
                        logger.error("a changed file's cache is missing", metadata: ["mount.path": "\(change.path)"])
                        continue
                    }
                    let node = Node(
                        path: change.path, origin: change.origin, size: size, modified: change.modified,
                        remoteVersion: newVersion())
                    node.dirty = true
                    node.cacheName = name
                    node.descriptor = Glibc.open(cachePath(name), O_RDWR)
                    cachedBytes += size
                    files[change.path] = node
                } else if let origin = change.origin, let entry = listing.files.first(where: { $0.path == origin }) {
                    files[change.path] = Node(
                        path: change.path, origin: origin, size: UInt64(max(0, entry.size)),
                        modified: change.modified, remoteVersion: newVersion())
                    if files[origin]?.origin == origin { files[origin] = nil }
                } else {
                    continue
                }
                recovered += 1
            }
            directories.formUnion(manifest.directories)
            if recovered > 0 || !manifest.removed.isEmpty {
                pendingChanges = true
                flushRequests += 1
            }
        }
        for path in files.keys { directories.formUnion(Self.ancestors(of: path)) }
        // Cache files no change needs are dropped: a mount starts with an empty clean cache.
        let wanted = Set(files.values.compactMap(\.cacheName))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dataFolder)) ?? []
        where !wanted.contains(name) {
            Glibc.unlink(cachePath(name))
        }
        saveManifest()
        flusherStarted = true
        let thread = Thread { [self] in runFlusher() }
        thread.name = "blob-mount-flusher"
        thread.start()
        return recovered
    }

    static func fileSize(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(max(0, info.st_size))
    }

    /// Commits what is left and stops the flusher: the unmount. Throws when changes stay uncommitted
    /// (they stay in the cache folder for the next mount).
    public func stop() throws(MountError) {
        state.lock()
        guard flusherStarted else {
            // `start` failed: nothing was served, nothing changed.
            state.unlock()
            return
        }
        flushRequests += 1
        let request = flushRequests
        state.broadcast()
        while servedRequests < request && failedRequests < request { state.wait() }
        let failed = servedRequests < request
        stopping = true
        state.broadcast()
        while !flusherDone { state.wait() }
        let error = lastFlushError
        state.unlock()
        if failed {
            throw .flush(
                "changes could not be committed (\(error ?? "unknown")); they stay in \(configuration.cacheFolder) and the next mount commits them"
            )
        }
    }
}
