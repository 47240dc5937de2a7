import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Merkle
import NIOCore
import StorageProtocol

/// `/v1/allocations/{a}/…`: uploads, proofs, commit, rollback and reads (docs/PROTOCOL.md section 8). Every route
/// runs behind an `AllocationAuthenticator` and works on the allocation's store it put into the context.
struct AllocationController: Sendable {
    typealias Context = BlobberRequestContext
    let node: BlobberNode

    func addRoutes(to group: RouterGroup<Context>) {
        let route = BlobberRoute.Pattern.self
        group.group().add(middleware: authenticator(.streamed)).put(RouterPath(route.upload), use: upload)
        group.group().add(middleware: authenticator(.none))
            .get(RouterPath(route.upload), use: uploadStatus)
            .delete(RouterPath(route.upload), use: dropUpload)
            .get(RouterPath(route.state), use: state)
        group.group().add(middleware: authenticator(.json))
            .post(RouterPath(route.proofs), use: proofs)
            .post(RouterPath(route.commit), use: commit)
            .post(RouterPath(route.rollback), use: rollback)
            .post(RouterPath(route.reencryptionKeys), use: registerReencryptionKey)
        group.group().add(middleware: authenticator(.none, readPath: { try Self.filePath($0).string }))
            .get(RouterPath(route.file), use: file)
        group.group().add(middleware: authenticator(.none, readPath: { try Self.directory($0) }))
            .get(RouterPath(route.list), use: list)
        group.group().add(middleware: authenticator(.none, readPath: { try Self.filePath($0).string }))
            .get(RouterPath(route.blocks), use: blocks)
    }

    private func authenticator(
        _ body: AllocationAuthenticator.Body, readPath: (@Sendable (Request) throws -> String)? = nil
    ) -> AllocationAuthenticator {
        AllocationAuthenticator(node: node, body: body, readPath: readPath)
    }

    /// `?path=` of a file route.
    private static func filePath(_ request: Request) throws -> RemotePath {
        try RawQuery(request.uri.query).path(BlobberRoute.Query.path)
    }

    /// `?path=` of a listing: a directory, given with or without its final `/`.
    private static func directory(_ request: Request) throws -> String {
        let query = try RawQuery(request.uri.query)
        guard let bytes = query.values[BlobberRoute.Query.path], let text = String(validating: bytes, as: UTF8.self)
        else {
            throw PathError.invalid("", reason: "is missing or not valid UTF-8")
        }
        let directory = text.hasSuffix("/") ? text : text + "/"
        if directory != "/" { _ = try RemotePath(String(directory.dropLast())) }
        return directory
    }

    /// The store of a route with a JSON body and that body, whose digest must be the signed one.
    private func signedJSON(_ request: Request, _ context: Context) async throws -> (AllocationStore, [UInt8]) {
        let grant = try context.requireGrant()
        let body = try await jsonBody(request)
        try grant.auth.verifyBody(body)
        return (grant.store, body)
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
        let id = context.parameters.get(BlobberRoute.Parameter.upload) ?? ""
        guard UploadStatus.isValidID(id) else { throw BlobberError.badUploadID(id) }
        return id
    }

    @Sendable func upload(_ request: Request, context: Context) async throws -> Response {
        let store = try context.requireGrant().store
        let upload = try uploadID(context)
        guard let sizeText = request.header(BlobberHeader.shardSize), let shardSize = UInt64(sizeText) else {
            throw BlobberError.badLength("x-blob-shard-size must give the shard's length")
        }
        let offset = try RawQuery(request.uri.query).integer(BlobberRoute.Query.offset) ?? 0
        // A refusal for space is checked before any body byte is read, so the request can run again.
        let status = try await withFreshShare(store) {
            try await store.receive(
                upload: upload, shardSize: shardSize, offset: offset, body: request.body,
                counted: { BlobberMetrics.bytesIn.increment(by: $0) })
        }
        return JSONResponse.make(status)
    }

    /// Runs `operation`; when it is refused for want of space, asks the ledger for the allocation's terms
    /// (the owner may just have grown it) and, if the share grew, runs it once more.
    private func withFreshShare<T>(_ store: AllocationStore, _ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error where Self.isShareRefusal(error) {
            let share = store.info.share
            try await node.refreshTerms(of: store, urgent: true)
            guard store.info.share > share else { throw error }
            return try await operation()
        }
    }

    private static func isShareRefusal(_ error: any Error) -> Bool {
        switch error {
        case BlobberError.capacityExceeded: true
        case MarkerError.capacityExceeded: true
        default: false
        }
    }

    @Sendable func uploadStatus(_ request: Request, context: Context) async throws -> Response {
        let store = try context.requireGrant().store
        let upload = try uploadID(context)
        guard let status = try await store.uploadStatus(upload) else {
            throw BlobberError.unknownUpload(upload)
        }
        return JSONResponse.make(status)
    }

    @Sendable func dropUpload(_ request: Request, context: Context) async throws -> Response {
        let store = try context.requireGrant().store
        let upload = try uploadID(context)
        guard try await store.dropUpload(upload) else { throw BlobberError.unknownUpload(upload) }
        return JSONResponse.make(["dropped": upload])
    }

    @Sendable func proofs(_ request: Request, context: Context) async throws -> Response {
        let (store, body) = try await signedJSON(request, context)
        let paths = try decode(ProofsRequest.self, body).paths
        return JSONResponse.make(try await store.proofs(for: paths))
    }

    @Sendable func commit(_ request: Request, context: Context) async throws -> Response {
        let (store, body) = try await signedJSON(request, context)
        let commit = try decode(CommitRequest.self, body)
        let start = ContinuousClock.now
        let answer = try await withFreshShare(store) { try await store.commit(commit, now: BlobberNode.now()) }
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
        let (store, body) = try await signedJSON(request, context)
        let rollback = try decode(RollbackRequest.self, body)
        let answer = try await store.rollback(rollback.marker, now: BlobberNode.now())
        BlobberMetrics.rollbacks.increment()
        return JSONResponse.make(answer)
    }

    @Sendable func state(_ request: Request, context: Context) async throws -> Response {
        JSONResponse.make(try await context.requireGrant().store.state())
    }

    @Sendable func file(_ request: Request, context: Context) async throws -> Response {
        let path = try Self.filePath(request)
        let grant = try context.requireGrant()
        var answer = try await grant.store.file(path)
        if let ticketHash = grant.ticketHash {
            answer.capsule = try await grant.store.transformedCapsule(of: answer.entry, ticket: ticketHash)
        }
        return JSONResponse.make(answer)
    }

    @Sendable func registerReencryptionKey(_ request: Request, context: Context) async throws -> Response {
        let (store, body) = try await signedJSON(request, context)
        let registration = try decode(ReencryptionKeyRequest.self, body)
        return JSONResponse.make(try await store.registerReencryptionKey(registration, now: BlobberNode.now()))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let directory = try Self.directory(request)
        return JSONResponse.make(try await context.requireGrant().store.listing(of: directory))
    }

    @Sendable func blocks(_ request: Request, context: Context) async throws -> Response {
        let query = try RawQuery(request.uri.query)
        let path = try query.path(BlobberRoute.Query.path)
        let store = try context.requireGrant().store
        let entry = try await store.entry(path)
        let start = try query.integer(BlobberRoute.Query.start) ?? 0
        let count = try query.integer(BlobberRoute.Query.count) ?? 1
        let blocks = try await store.blocks(of: entry, start: start, count: count)
        BlobberMetrics.bytesOut.increment(by: blocks.bytes.readableBytes)
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[HTTPField.Name(BlobberHeader.shardRoot)!] = entry.shardRoot.hex
        headers[HTTPField.Name(BlobberHeader.blockCount)!] = String(entry.blockCount)
        headers[HTTPField.Name(BlobberHeader.rangeProof)!] = Hex.encode(blocks.proof.serializedHashes)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: blocks.bytes))
    }
}
