public import Client
import CFuse3
import Foundation
public import Logging
import StorageProtocol
import Merkle

#if canImport(Glibc)
    import Glibc
#endif

/// An allocation as a filesystem (`blob mount`): reads fetch only the stripes they need, verified, with
/// a read cache of verified blocks; writes land in a local cache folder first and a flusher commits the
/// changed files, deletes and renames together, one commit per blobber, after a quiet spell, on
/// `fsync`, on `close` when asked, and at unmount. The folder stays under its size limit by dropping
/// committed files least recently used first; dirty files stay until committed, and a write that
/// would overflow the limit waits for a flush. The changes not yet committed are listed in
/// `manifest.json` in the folder, so a mount started after a crash commits them.
///
/// Every method runs on a caller's thread (libfuse's, the flusher's) and may block it; the state sits
/// behind one lock (`state`). Mutations take a share of the write gate, which a flush takes whole, so
/// what a commit uploads does not change under it.
public final class WriteBackFilesystem: FilesystemOperations, @unchecked Sendable {
    public struct Configuration: Sendable {
        public var cacheFolder: String
        public var cacheLimit: UInt64
        public var flushAfter: Duration
        public var readOnly: Bool
        public var syncOnClose: Bool
        public var encrypt: Bool
        /// Bytes of verified remote blocks kept in memory.
        public var readCacheBytes: Int
        /// Most paths one commit names (a rename names two); a flush with more changes is several
        /// commits. Between 2 and `ProofsRequest.maxPaths`, what a blobber takes in one request.
        public var pathsPerCommit: Int

        public init(
            cacheFolder: String, cacheLimit: UInt64, flushAfter: Duration, readOnly: Bool = false,
            syncOnClose: Bool = false, encrypt: Bool = false, readCacheBytes: Int = 64 << 20,
            pathsPerCommit: Int = 4000
        ) {
            self.pathsPerCommit = min(max(pathsPerCommit, 2), ProofsRequest.maxPaths)
            self.cacheFolder = cacheFolder
            self.cacheLimit = cacheLimit
            self.flushAfter = flushAfter
            self.readOnly = readOnly
            self.syncOnClose = syncOnClose
            self.encrypt = encrypt
            self.readCacheBytes = readCacheBytes
        }
    }

    /// One file of the tree. Fields change under `state` only.
    final class Node {
        var path: String
        /// The remote path holding this file's content as last committed (nil: never committed).
        var origin: String?
        var size: UInt64
        /// Unix nanoseconds.
        var modified: Int64
        /// Content changed here and not committed yet (it is in the cache file).
        var dirty = false
        /// The cache file's name in `data/`, when the content is cached.
        var cacheName: String?
        var descriptor: Int32 = -1
        var openCount = 0
        var lastUsed: UInt64 = 0
        var fetching = false
        /// Unlinked while open: readable and writable through its handles, gone at the last close.
        var detached = false
        /// Names the remote content for the read cache; a new one at every commit of this file.
        var remoteVersion: UInt64
        /// The content hash the network listed for `origin`, when known (not after this mount's commit).
        var contentHash: Hash?

        init(path: String, origin: String?, size: UInt64, modified: Int64, remoteVersion: UInt64) {
            self.path = path
            self.origin = origin
            self.size = size
            self.modified = modified
            self.remoteVersion = remoteVersion
        }

        var isCached: Bool { cacheName != nil }
    }

    struct Handle {
        var node: Node
        var writing: Bool
    }

    let client: BlobClient
    let configuration: Configuration
    let logger: Logger

    let state = NSCondition()
    var files: [String: Node] = [:]
    var directories: Set<String> = ["/"]
    /// Remote paths of the last committed state (as far as this mount knows).
    var baseline: Set<String> = []
    var handles: [UInt64: Handle] = [:]
    var nextHandle: UInt64 = 1
    var tick: UInt64 = 0
    var versions: UInt64 = 0
    var cachedBytes: UInt64 = 0
    var blocks: BlockCache
    /// Blocks being fetched by some thread.
    var inflight: Set<BlockCache.Key> = []
    /// When each directory was last listed from the network (other clients' changes show after that).
    var listedAt: [String: ContinuousClock.Instant] = [:]
    let startedAt = ContinuousClock.now
    /// Counts flushes, so a listing taken while one committed is not merged.
    var flushGeneration: UInt64 = 0
    let mountedAt = WriteBackFilesystem.now()
    /// Times set on directories (`touch`, `rsync -a`), for as long as the mount lasts.
    var directoryTimes: [String: Int64] = [:]

    // The write gate and the flusher's bookkeeping.
    var activeMutations = 0
    var flushing = false
    var pendingChanges = false
    var lastMutation = ContinuousClock.now
    var flushRequests: UInt64 = 0
    var servedRequests: UInt64 = 0
    var failedRequests: UInt64 = 0
    var lastFlushError: String?
    var stopping = false
    var flusherStarted = false
    /// The descriptor holding the cache folder's lock (`flock`), -1 before `start`.
    var folderLock: Int32 = -1
    var flusherDone = false

    var dataFolder: String { configuration.cacheFolder + "/data" }
    var manifestPath: String { configuration.cacheFolder + "/manifest.json" }

    public init(client: BlobClient, configuration: Configuration, logger: Logger) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        blocks = BlockCache(capacity: configuration.readCacheBytes)
    }

    // MARK: Helpers (callers hold `state`)

    func touch(_ node: Node) {
        tick += 1
        node.lastUsed = tick
    }

    func newVersion() -> UInt64 {
        versions += 1
        return versions
    }

    func cachePath(_ name: String) -> String { dataFolder + "/" + name }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Unix nanoseconds.
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// Paths the network accepts; anything else is refused before it is made here.
    static func check(_ path: String) throws(FilesystemError) {
        guard (try? RemotePath(path)) != nil else { throw .invalid }
    }

    /// Waits until no flush runs, then holds a share of the write gate.
    func enterMutation() {
        while flushing { state.wait() }
        activeMutations += 1
    }

    func leaveMutation(changed: Bool) {
        activeMutations -= 1
        if changed {
            pendingChanges = true
            lastMutation = .now
        }
        state.broadcast()
    }

    /// Drops a node's cache file (the node was removed, or was clean and is evicted).
    func dropCache(_ node: Node) {
        guard let name = node.cacheName else { return }
        if node.descriptor >= 0 { close(node.descriptor) }
        Glibc.unlink(cachePath(name))
        node.descriptor = -1
        node.cacheName = nil
        cachedBytes -= min(cachedBytes, node.size)
    }

    /// Removes `node` from the tree (unlinked, or replaced by a rename).
    func discard(_ node: Node) {
        files[node.path] = nil
        if node.openCount > 0 {
            node.detached = true
        } else {
            dropCache(node)
        }
    }

    /// Saves the uncommitted changes; a failure is logged (the changes are still held in memory and
    /// the cache files stay).
    func saveManifest() {
        var manifest = CacheManifest(allocation: client.id.hex)
        var held: Set<String> = []
        for node in files.values {
            if node.dirty || node.origin != node.path {
                manifest.changed.append(
                    .init(
                        path: node.path, origin: node.origin, dirty: node.dirty,
                        cache: node.dirty ? node.cacheName : nil, modified: node.modified))
            }
            if node.origin == node.path { held.insert(node.path) }
        }
        manifest.changed.sort { $0.path < $1.path }
        manifest.removed = baseline.filter { files[$0] == nil }.sorted()
        let implied = Set(files.keys.flatMap { Self.ancestors(of: $0) })
        manifest.directories = directories.subtracting(implied).subtracting(["/"]).sorted()
        do {
            try manifest.save(to: manifestPath)
        } catch {
            logger.error("cannot save the cache manifest", metadata: ["mount.error": "\(error)"])
        }
    }

    static func ancestors(of path: String) -> [String] {
        var out: [String] = []
        var current = parent(of: path)
        while current != "/" {
            out.append(current)
            current = parent(of: current)
        }
        out.append("/")
        return out
    }
}
