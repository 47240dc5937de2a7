public import Client
import Foundation
public import Merkle
import NIOCore
public import StorageProtocol
import Synchronization

/// An object's metadata, kept beside it (`StorageLayout.meta`).
public struct ObjectMeta: Sendable, Codable, Equatable {
    public var size: UInt64
    /// S3's ETag without quotes: the MD5 of the body, or for a multipart upload the MD5 of the parts'
    /// MD5s and `-N`.
    public var etag: String
    public var contentType: String
    public var userMeta: [String: String]
    /// Unix milliseconds after which the object is never served; nil: never expires.
    public var expiresAt: Int64?
    /// Unix milliseconds of the write.
    public var modifiedAt: Int64
    /// Hex SHA-256 of the body.
    public var sha256: String
    /// The value's peg on the ledger (`Pegger`); nil: not pegged.
    public var peg: PegReference? = nil

    enum CodingKeys: String, CodingKey {
        case size, etag, peg
        case contentType = "content_type"
        case userMeta = "user_meta"
        case expiresAt = "expires_at"
        case modifiedAt = "modified_at"
        case sha256
    }

    func isExpired(now: Int64) -> Bool { expiresAt.map { $0 <= now } ?? false }
}

/// The gateway's objects over one allocation, through `BlobClient` only: buckets, objects with their
/// metadata, the cache, expiry. Both APIs call this.
public final class ObjectStore: Sendable {
    public let client: BlobClient
    /// Puts from concurrent requests go out together: one commit per blobber for every put waiting.
    let committer: GroupCommitter
    let cache: ValueCache
    let knownBuckets = Mutex(Set<String>())
    static let maxMetaBytes: UInt64 = 256 << 10

    public init(client: BlobClient, cacheBytes: Int, cacheMaxValueBytes: Int) {
        self.client = client
        committer = GroupCommitter(client: client)
        cache = ValueCache(capacity: cacheBytes, maxValue: cacheMaxValueBytes)
    }

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func cacheKey(_ bucket: String, _ key: ObjectKey) -> String { bucket + "/" + key.text }

    // MARK: Buckets

    public func buckets() async throws(GatewayError) -> [(name: String, createdAt: Int64)] {
        let listing = try await list(directory: StorageLayout.bucketRoot)
        let names = listing.files.map { (String($0.path.dropFirst(StorageLayout.bucketRoot.count)), $0.createdAt) }
        knownBuckets.withLock { $0.formUnion(names.map(\.0)) }
        return names.map { (name: $0.0, createdAt: $0.1) }.sorted { $0.name < $1.name }
    }

    public func bucketExists(_ bucket: String) async throws(GatewayError) -> Bool {
        if bucket == StorageLayout.kvBucket || knownBuckets.withLock({ $0.contains(bucket) }) { return true }
        let marker = try StorageLayout.bucketMarker(bucket)
        let found = try await run { () async throws(ClientError) in try await client.existing([marker]) }
        if !found.isEmpty { knownBuckets.withLock { _ = $0.insert(bucket) } }
        return !found.isEmpty
    }

    public func createBucket(_ bucket: String) async throws(GatewayError) {
        if try await bucketExists(bucket) { throw .bucketExists(bucket) }
        let marker = try StorageLayout.bucketMarker(bucket)
        let body = Array("{\"created_at\":\(Self.nowMillis())}".utf8)
        try await run { () async throws(ClientError) in try await client.write(marker, from: ByteSource(body)) }
        knownBuckets.withLock { _ = $0.insert(bucket) }
    }

    public func deleteBucket(_ bucket: String) async throws(GatewayError) {
        guard try await bucketExists(bucket) else { throw .noSuchBucket(bucket) }
        let inside = try await list(directory: "/" + bucket + "/")
        let folders = try await list(directory: StorageLayout.folderRoot + bucket + "/")
        guard inside.files.isEmpty, inside.directories.isEmpty, folders.files.isEmpty, folders.directories.isEmpty
        else { throw .bucketNotEmpty(bucket) }
        let marker = try StorageLayout.bucketMarker(bucket)
        knownBuckets.withLock { _ = $0.remove(bucket) }
        try await run { () async throws(ClientError) in try await client.delete([marker]) }
    }

    // MARK: Objects

    /// Commits `staged` as `bucket`/`key` with its metadata (and expiry marker) in one commit per
    /// blobber; nothing is written when any of it fails.
    /// `peg`: the value's peg, already on the ledger, kept in the metadata.
    @discardableResult
    public func put(
        _ bucket: String, _ key: ObjectKey, staged: StagedBody, etag: String? = nil, contentType: String,
        userMeta: [String: String], ttlSeconds: Int64?, peg: PegReference? = nil
    ) async throws(GatewayError) -> ObjectMeta {
        try await put(
            bucket, key, body: .file(staged.path), size: staged.size, etag: etag ?? staged.etag,
            sha256: hex(staged.sha256), contentType: contentType, userMeta: userMeta, ttlSeconds: ttlSeconds,
            peg: peg)
    }

    /// Where a put's bytes come from: a staged local file, or a stream of known size.
    public enum PutBody: Sendable {
        case file(String)
        case source(ByteSource)
    }

    @discardableResult
    public func put(
        _ bucket: String, _ key: ObjectKey, body: PutBody, size: UInt64, etag: String, sha256: String,
        contentType: String, userMeta: [String: String], ttlSeconds: Int64?, peg: PegReference? = nil
    ) async throws(GatewayError) -> ObjectMeta {
        let now = Self.nowMillis()
        var expiresAt: Int64? = nil
        if let ttlSeconds {
            let (product, overflow) = ttlSeconds.multipliedReportingOverflow(by: 1000)
            let (at, late) = now.addingReportingOverflow(product)
            guard !overflow, !late, product > 0 else { throw .invalidRequest("ttl out of range") }
            expiresAt = at
        }
        let meta = ObjectMeta(
            size: size, etag: etag, contentType: contentType, userMeta: userMeta,
            expiresAt: expiresAt, modifiedAt: now, sha256: sha256, peg: peg)
        let metaBytes = try Self.encode(meta)
        let objectPath = try StorageLayout.object(bucket, key)
        let metaPath = try StorageLayout.meta(bucket, key)
        let ttlPath = try expiresAt.map { (at) throws(GatewayError) in
            try StorageLayout.ttlMarker(bucket, key, expiresAt: at)
        }
        let cacheKey = Self.cacheKey(bucket, key)
        cache.remove(cacheKey)
        var batch = Batch()
        switch body {
        case .file(let local): batch.upload(local, to: objectPath)
        case .source(let source): batch.write(objectPath, from: source)
        }
        batch.write(metaPath, from: ByteSource(metaBytes))
        if let ttlPath { batch.write(ttlPath, from: ByteSource(Array(cacheKey.utf8))) }
        let changes = batch
        try await run { () async throws(ClientError) in try await committer.commit(changes) }
        if case .file(let local) = body, size <= UInt64(cache.maxValue),
            let data = FileManager.default.contents(atPath: local)
        {
            cache.put(cacheKey, .init(meta: meta, bytes: Array(data)))
        }
        return meta
    }

    /// The metadata of a live object (never an expired one), from the cache when it is there.
    public func meta(_ bucket: String, _ key: ObjectKey) async throws(GatewayError) -> ObjectMeta {
        let now = Self.nowMillis()
        if let hit = cache.get(Self.cacheKey(bucket, key)) {
            guard !hit.meta.isExpired(now: now) else {
                cache.remove(Self.cacheKey(bucket, key))
                throw .noSuchKey(key.text)
            }
            return hit.meta
        }
        return try await storedMeta(bucket, key, now: now)
    }

    /// The metadata of a live object as the blobbers hold it (the cache is not asked).
    func storedMeta(_ bucket: String, _ key: ObjectKey, now: Int64) async throws(GatewayError) -> ObjectMeta {
        let meta: ObjectMeta
        do throws(GatewayError) {
            let bytes = try await readAll(try StorageLayout.meta(bucket, key), limit: Self.maxMetaBytes)
            do { meta = try JSONDecoder().decode(ObjectMeta.self, from: Data(bytes)) } catch {
                throw GatewayError.local("the metadata of \(bucket)/\(key) is not readable: \(error)")
            }
        } catch .noSuchKey {
            // A file written without the gateway (blob upload): what its entry says.
            let entry: FileEntry
            let path = try StorageLayout.object(bucket, key)
            do throws(ClientError) { entry = try await client.stat(path) } catch {
                if case .remoteNotFound = error { throw .noSuchKey(key.text) }
                throw .client(error)
            }
            meta = ObjectMeta(
                size: UInt64(clamping: entry.size), etag: entry.contentHash.hex.prefix(32).description,
                contentType: "application/octet-stream", userMeta: [:], expiresAt: nil, modifiedAt: entry.updatedAt,
                sha256: entry.contentHash.hex)
        }
        guard !meta.isExpired(now: now) else { throw .noSuchKey(key.text) }
        return meta
    }

    /// A live object's metadata and its bytes (`range`, inclusive): from the cache without touching the
    /// blobbers when it is there, else streamed and verified.
    public func get(_ bucket: String, _ key: ObjectKey, range: ClosedRange<UInt64>? = nil)
        async throws(GatewayError) -> (meta: ObjectMeta, body: ObjectBody)
    {
        let cacheKey = Self.cacheKey(bucket, key)
        if let hit = cache.get(cacheKey) {
            guard !hit.meta.isExpired(now: Self.nowMillis()) else {
                cache.remove(cacheKey)
                throw .noSuchKey(key.text)
            }
            if let range {
                return (hit.meta, .bytes(Array(hit.bytes[Int(range.lowerBound)...Int(range.upperBound)])))
            }
            return (hit.meta, .bytes(hit.bytes))
        }
        let meta = try await meta(bucket, key)
        let path = try StorageLayout.object(bucket, key)
        if range == nil, meta.size <= UInt64(cache.maxValue), meta.size <= UInt64(cache.capacity) {
            let bytes = try await readAll(path, limit: meta.size)
            cache.put(cacheKey, .init(meta: meta, bytes: bytes))
            return (meta, .bytes(bytes))
        }
        if meta.size == 0 { return (meta, .bytes([])) }
        return (meta, .stream(client.read(path, range: range)))
    }

    /// A live object's metadata and the SHA-256 of its bytes, both read again from the blobbers (never
    /// from the cache), the bytes streamed and verified as they arrive, never held whole.
    public func rehash(_ bucket: String, _ key: ObjectKey) async throws(GatewayError) -> (
        meta: ObjectMeta, sha256: Hash, size: UInt64
    ) {
        let meta = try await storedMeta(bucket, key, now: Self.nowMillis())
        let path = try StorageLayout.object(bucket, key)
        var hasher = SHA256()
        var size: UInt64 = 0
        do throws(ClientError) {
            for try await chunk in client.read(path) {
                chunk.withUnsafeReadableBytes { hasher.update($0) }
                size += UInt64(chunk.readableBytes)
            }
        } catch {
            if case .remoteNotFound = error { throw .noSuchKey(key.text) }
            throw .client(error)
        }
        return (meta, hasher.finalize(), size)
    }

    public enum ObjectBody: Sendable {
        case bytes([UInt8])
        case stream(ReadStream)
    }

    /// Deletes `keys` of `bucket` (with their metadata and expiry markers) in one commit per blobber;
    /// keys that do not exist are skipped. Returns the keys deleted.
    @discardableResult
    public func delete(_ bucket: String, _ keys: [ObjectKey]) async throws(GatewayError) -> [ObjectKey] {
        var paths: [RemotePath] = []
        for key in keys {
            cache.remove(Self.cacheKey(bucket, key))
            paths.append(try StorageLayout.object(bucket, key))
            paths.append(try StorageLayout.meta(bucket, key))
        }
        guard !paths.isEmpty else { return [] }
        let present = try await run { () async throws(ClientError) in try await client.existing(paths) }
        guard !present.isEmpty else { return [] }
        try await run { () async throws(ClientError) in try await client.delete(present) }
        let set = Set(present)
        return keys.filter { key in (try? StorageLayout.object(bucket, key)).map { set.contains($0) } ?? false }
    }

    /// Every object key of `bucket` (sorted), with its entry; folder objects (`KEY/`, their entry the
    /// marker's) among them.
    public func keys(_ bucket: String) async throws(GatewayError) -> [(key: String, entry: FileEntry)] {
        let root = "/" + bucket + "/"
        let listing = try await list(directory: root, recursive: true)
        let folderRoot = StorageLayout.folderRoot + bucket + "/"
        let folders = try await list(directory: folderRoot, recursive: true)
        let suffix = "/" + StorageLayout.folderMarkerName
        let folderKeys = folders.files.filter {
            $0.path.hasSuffix(suffix) && $0.path.count > folderRoot.count + suffix.count
        }
        .map {
            (key: String($0.path.dropFirst(folderRoot.count).dropLast(StorageLayout.folderMarkerName.count)), entry: $0)
        }
        return (listing.files.map { (key: String($0.path.dropFirst(root.count)), entry: $0) } + folderKeys)
            .sorted { $0.key < $1.key }
    }

    // MARK: Folder objects (`KEY/`)

    static let emptyMD5 = hex(Digest.md5([]))
    static let emptySHA256 = hex(Digest.sha256([]))

    /// Writes the folder object `key/` (empty), with its metadata, replacing any there.
    @discardableResult
    public func putFolder(_ bucket: String, _ key: ObjectKey, contentType: String, userMeta: [String: String])
        async throws(GatewayError) -> ObjectMeta
    {
        let meta = ObjectMeta(
            size: 0, etag: Self.emptyMD5, contentType: contentType, userMeta: userMeta, expiresAt: nil,
            modifiedAt: Self.nowMillis(), sha256: Self.emptySHA256)
        let bytes = try Self.encode(meta)
        let marker = try StorageLayout.folderMarker(bucket, key)
        try await run { () async throws(ClientError) in try await client.write(marker, from: ByteSource(bytes)) }
        return meta
    }

    /// The metadata of the folder object `key/`; `.noSuchKey` when there is none (objects under
    /// `key/` do not make one, as in S3).
    public func folderMeta(_ bucket: String, _ key: ObjectKey) async throws(GatewayError) -> ObjectMeta {
        let bytes: [UInt8]
        do throws(GatewayError) {
            bytes = try await readAll(try StorageLayout.folderMarker(bucket, key), limit: Self.maxMetaBytes)
        } catch .noSuchKey { throw .noSuchKey(key.text + "/") }
        do { return try JSONDecoder().decode(ObjectMeta.self, from: Data(bytes)) } catch {
            throw GatewayError.local("the metadata of \(bucket)/\(key)/ is not readable: \(error)")
        }
    }

    /// Deletes the folder objects `keys` (each `KEY/`); absent ones are skipped. Returns those deleted.
    @discardableResult
    public func deleteFolders(_ bucket: String, _ keys: [ObjectKey]) async throws(GatewayError) -> [ObjectKey] {
        var markers: [RemotePath: ObjectKey] = [:]
        for key in keys { markers[try StorageLayout.folderMarker(bucket, key)] = key }
        guard !markers.isEmpty else { return [] }
        let present = try await run { () async throws(ClientError) in try await client.existing(Array(markers.keys)) }
        guard !present.isEmpty else { return [] }
        try await run { () async throws(ClientError) in try await client.delete(present) }
        return present.compactMap { markers[$0] }
    }

    // MARK: Expiry

    /// Deletes what expired before now from the blobbers (objects, metadata, markers), at most
    /// `ProofsRequest.maxPaths` paths in one commit. Returns how many objects were deleted.
    public func sweepExpired() async throws(GatewayError) -> Int {
        let now = Self.nowMillis()
        let folders = try await list(directory: StorageLayout.ttlRoot)
        let due = folders.directories.map { String($0.dropLast()) }.filter { folder in
            // Folder names come back from the blobbers: checked, never trusted to fit.
            guard let second = Int64(folder) else { return false }
            let (millis, overflow) = second.multipliedReportingOverflow(by: 1000)
            return !overflow && millis <= now
        }
        var deletes: [RemotePath] = []
        var swept = 0
        for folder in due.sorted() {
            let root = StorageLayout.ttlRoot + folder + "/"
            let markers = try await list(directory: root, recursive: true)
            for marker in markers.files {
                let rest = String(marker.path.dropFirst(root.count))
                guard let slash = rest.firstIndex(of: "/") else { continue }
                let bucket = String(rest[..<slash])
                guard let key = try? ObjectKey(String(rest[rest.index(after: slash)...])) else { continue }
                deletes.append(try StorageLayout.path(marker.path))
                // The object may have been written again since, with a later expiry or none.
                let current: ObjectMeta?
                do throws(GatewayError) {
                    let bytes = try await readAll(try StorageLayout.meta(bucket, key), limit: Self.maxMetaBytes)
                    current = try? JSONDecoder().decode(ObjectMeta.self, from: Data(bytes))
                } catch .noSuchKey { current = nil }
                if let current, current.isExpired(now: now) {
                    cache.remove(Self.cacheKey(bucket, key))
                    deletes.append(try StorageLayout.object(bucket, key))
                    deletes.append(try StorageLayout.meta(bucket, key))
                    swept += 1
                }
                if deletes.count >= ProofsRequest.maxPaths - 3 {
                    try await commitDeletes(deletes)
                    deletes.removeAll()
                }
            }
        }
        if !deletes.isEmpty { try await commitDeletes(deletes) }
        return swept
    }

    func commitDeletes(_ paths: [RemotePath]) async throws(GatewayError) {
        let present = try await run { () async throws(ClientError) in try await client.existing(paths) }
        guard !present.isEmpty else { return }
        try await run { () async throws(ClientError) in try await client.delete(present) }
    }

    // MARK: Helpers

    struct Listing {
        var files: [FileEntry]
        var directories: [String]
    }

    /// A directory's listing; an absent directory is empty.
    func list(directory: String, recursive: Bool = false) async throws(GatewayError) -> Listing {
        do {
            let listing = try await client.list(directory, recursive: recursive)
            return Listing(files: listing.files, directories: listing.directories)
        } catch {
            if case .remoteNotFound = error { return Listing(files: [], directories: []) }
            throw .client(error)
        }
    }

    /// The whole of a small file; `.noSuchKey` when it does not exist.
    func readAll(_ path: RemotePath, limit: UInt64) async throws(GatewayError) -> [UInt8] {
        var bytes: [UInt8] = []
        do throws(ClientError) {
            for try await chunk in client.read(path) {
                guard UInt64(bytes.count + chunk.readableBytes) <= limit else {
                    throw ClientError.invalidArgument("\(path) is larger than expected")
                }
                bytes += chunk.readableBytesView
            }
        } catch {
            if case .remoteNotFound = error { throw .noSuchKey(path.string) }
            throw .client(error)
        }
        return bytes
    }

    func run<T>(_ body: () async throws(ClientError) -> T) async throws(GatewayError) -> T {
        do { return try await body() } catch { throw .client(error) }
    }

    static func encode(_ meta: ObjectMeta) throws(GatewayError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        do { return Array(try encoder.encode(meta)) } catch { throw .local("cannot encode metadata: \(error)") }
    }
}
