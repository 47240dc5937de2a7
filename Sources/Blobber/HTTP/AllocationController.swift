import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Merkle
import NIOCore
import StorageProtocol

private let emptyBodyDigest = SHA256.hash([UInt8]()).hex

/// `/v1/allocations/{a}/…`: uploads, proofs, commit, rollback and reads (docs/PROTOCOL.md section 8).
struct AllocationController<Context: RequestContext>: Sendable {
    let node: BlobberNode

    func addRoutes(to group: RouterGroup<Context>) {
        group.put(":a/uploads/:u", use: upload)
        group.get(":a/uploads/:u", use: uploadStatus)
        group.delete(":a/uploads/:u", use: dropUpload)
        group.post(":a/proofs", use: proofs)
        group.post(":a/commit", use: commit)
        group.post(":a/rollback", use: rollback)
        group.get(":a/state", use: state)
        group.get(":a/file", use: file)
        group.get(":a/list", use: list)
        group.get(":a/blocks", use: blocks)
    }

    /// Authenticates the request and finds its allocation. `body` is the collected JSON body, if any.
    private func open(
        _ request: Request, _ context: Context, streamed: Bool = false, readPath: String? = nil
    ) async throws -> AllocationStore {
        try await authenticate(request, context, json: false, streamed: streamed, readPath: readPath).store
    }

    /// Authenticates a request with a JSON body: the signature, time, replay and owner are checked before
    /// the body is read, the body's digest after.
    private func openJSON(_ request: Request, _ context: Context) async throws -> (AllocationStore, [UInt8]) {
        let (store, auth) = try await authenticate(request, context, json: true, streamed: false, readPath: nil)
        let body = try await jsonBody(request)
        try auth.verifyBody(body)
        return (store, body)
    }

    private func authenticate(
        _ request: Request, _ context: Context, json: Bool, streamed: Bool, readPath: String?
    ) async throws -> (store: AllocationStore, auth: RequestAuth) {
        guard let text = context.parameters.get("a"), let id = AllocationID(hex: text), text.count == 64 else {
            throw BlobberError.malformed("the allocation id must be 64 hex digits")
        }
        let auth = try request.signedRequest
        if json {
            guard auth.bodyDigest != RequestAuth.unsignedPayload else { throw RequestAuthError.bodyNotSigned }
        } else if !streamed, auth.bodyDigest != RequestAuth.unsignedPayload, auth.bodyDigest != emptyBodyDigest {
            throw RequestAuthError.bodyDigestMismatch
        }
        try node.authenticate(auth, method: request.method.rawValue, target: request.uri.string)
        let store = try await node.store(for: id)
        try node.authorize(auth, info: store.info, readPath: readPath, ticket: request.header(ShareTicket.header))
        return (store, auth)
    }

    /// Collects a JSON body up to the configured limit. A body that ends before its declared length (the
    /// connection closed) is malformed, not an internal error.
    private func jsonBody(_ request: Request) async throws -> [UInt8] {
        let limit = node.configuration.maxJSONBody
        var collected = [UInt8]()
        do {
            for try await buffer in request.body {
                guard collected.count + buffer.readableBytes <= limit else {
                    throw BlobberError.bodyTooLarge(limit: limit)
                }
                collected += buffer.readableBytesView
            }
        } catch let error as BlobberError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw BlobberError.malformed("the body ended before its declared length")
        }
        BlobberMetrics.bytesIn.increment(by: collected.count)
        return collected
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch let error as DecodingError {
            throw BlobberError.malformed(ErrorMiddleware<Context>.describe(error))
        }
    }

    private func uploadID(_ context: Context) throws -> String {
        let id = context.parameters.get("u") ?? ""
        guard UploadStatus.isValidID(id) else { throw BlobberError.badUploadID(id) }
        return id
    }

    @Sendable func upload(_ request: Request, context: Context) async throws -> Response {
        let store = try await open(request, context, streamed: true)
        let upload = try uploadID(context)
        guard let sizeText = request.header(UploadStatus.shardSizeHeader), let shardSize = UInt64(sizeText) else {
            throw BlobberError.badLength("x-blob-shard-size must give the shard's length")
        }
        let offset = try RawQuery(request.uri.query).integer("offset") ?? 0
        let stored = await store.storedBytes
        let info = store.info
        let status = try await node.stager.receive(
            info.id, upload: upload, shardSize: shardSize, offset: offset,
            freeShare: info.share > stored ? info.share - stored : 0, body: request.body,
            counted: { BlobberMetrics.bytesIn.increment(by: $0) })
        return JSONResponse.make(status)
    }

    @Sendable func uploadStatus(_ request: Request, context: Context) async throws -> Response {
        let store = try await open(request, context)
        let upload = try uploadID(context)
        guard let status = try node.stager.status(store.info.id, upload) else {
            throw BlobberError.unknownUpload(upload)
        }
        return JSONResponse.make(status)
    }

    @Sendable func dropUpload(_ request: Request, context: Context) async throws -> Response {
        let store = try await open(request, context)
        let upload = try uploadID(context)
        guard try node.stager.drop(store.info.id, upload) else { throw BlobberError.unknownUpload(upload) }
        return JSONResponse.make(["dropped": upload])
    }

    @Sendable func proofs(_ request: Request, context: Context) async throws -> Response {
        let (store, body) = try await openJSON(request, context)
        let paths = try decode(ProofsRequest.self, body).paths
        return JSONResponse.make(try await store.proofs(for: paths))
    }

    @Sendable func commit(_ request: Request, context: Context) async throws -> Response {
        let (store, body) = try await openJSON(request, context)
        let commit = try decode(CommitRequest.self, body)
        let start = ContinuousClock.now
        let answer = try await store.commit(commit, now: BlobberNode.now())
        let elapsed = (ContinuousClock.now - start).components
        BlobberMetrics.commitLatency.recordNanoseconds(
            elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        BlobberMetrics.commits.increment()
        context.logger.debug(
            "committed",
            metadata: [
                "allocation.id": "\(store.info.id)", "marker.sequence": "\(answer.sequence)",
                "commit.changes": "\(commit.changes.count)",
            ])
        return JSONResponse.make(answer)
    }

    @Sendable func rollback(_ request: Request, context: Context) async throws -> Response {
        let (store, body) = try await openJSON(request, context)
        let rollback = try decode(RollbackRequest.self, body)
        let answer = try await store.rollback(rollback.marker, now: BlobberNode.now())
        BlobberMetrics.rollbacks.increment()
        return JSONResponse.make(answer)
    }

    @Sendable func state(_ request: Request, context: Context) async throws -> Response {
        let store = try await open(request, context)
        let pending = try node.database.pendingCount(store.info.id)
        return JSONResponse.make(await store.state(pendingMarkers: pending))
    }

    @Sendable func file(_ request: Request, context: Context) async throws -> Response {
        let path = try RawQuery(request.uri.query).path("path")
        let store = try await open(request, context, readPath: path.string)
        return JSONResponse.make(try await store.file(path))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let query = try RawQuery(request.uri.query)
        guard let bytes = query.values["path"], let text = String(validating: bytes, as: UTF8.self) else {
            throw PathError.invalid("", reason: "is missing or not valid UTF-8")
        }
        let directory = text.hasSuffix("/") ? text : text + "/"
        if directory != "/" { _ = try RemotePath(String(directory.dropLast())) }
        let store = try await open(request, context, readPath: directory)
        let below = try node.database.entries(store.info.id, under: directory)
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
        return JSONResponse.make(ListResponse(path: directory, files: files, directories: directories.sorted()))
    }

    @Sendable func blocks(_ request: Request, context: Context) async throws -> Response {
        let query = try RawQuery(request.uri.query)
        let path = try query.path("path")
        let store = try await open(request, context, readPath: path.string)
        let entry = try await store.entry(path)
        let start = try query.integer("start") ?? 0
        let count = try query.integer("count") ?? 1
        guard count >= 1, count <= 256 else { throw BlobberError.badRange(reason: "count must be 1 to 256") }
        guard start < entry.blockCount, count <= entry.blockCount - start else {
            // Neither `start + count` nor any other sum: both came off the wire.
            throw BlobberError.badRange(reason: "\(count) blocks from \(start) run outside 0..<\(entry.blockCount)")
        }
        let tree = try node.shards.tree(store.info.id, entry.shardRoot)
        guard UInt64(tree.blockCount) == entry.blockCount else {
            throw StorageError.corrupt(path: entry.shardRoot.hex, reason: "leaf count differs from the entry")
        }
        let range = Int(start)..<Int(start + count)
        let proof = tree.proof(forBlocks: range)
        let bytes = try node.shards.readBlocks(
            store.info.id, entry.shardRoot, start: range.lowerBound, count: range.count,
            allocator: ByteBufferAllocator())
        BlobberMetrics.bytesOut.increment(by: bytes.readableBytes)
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[HTTPField.Name("x-blob-shard-root")!] = entry.shardRoot.hex
        headers[HTTPField.Name("x-blob-block-count")!] = String(entry.blockCount)
        headers[HTTPField.Name("x-blob-range-proof")!] = Hex.encode(proof.serializedHashes)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: bytes))
    }
}
