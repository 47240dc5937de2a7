public import AsyncHTTPClient
import Foundation
public import Merkle
import NIOCore
import NIOHTTP1
public import StorageProtocol

/// One blobber's HTTP API (docs/PROTOCOL.md section 8), every request signed by `signer`.
public struct BlobberClient: Sendable {
    public let blobberID: BlobberID
    public let baseURL: String
    public let allocation: AllocationID
    /// The shard this blobber holds in the allocation, when it was opened as part of one.
    public var shardIndex: Int?
    let signer: SigningKey
    /// Sent as `x-blob-ticket` on reads by someone other than the owner.
    let ticket: ShareTicket?
    let transport: HTTPTransport

    public init(
        blobberID: BlobberID, baseURL: String, allocation: AllocationID, signer: SigningKey, ticket: ShareTicket? = nil,
        transport: HTTPTransport = HTTPTransport()
    ) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.blobberID = blobberID
        self.baseURL = url
        self.allocation = allocation
        self.signer = signer
        self.ticket = ticket
        self.transport = transport
    }

    /// How every message names this blobber: shard, id prefix and address, e.g.
    /// `#2 3fa9c1d0 http://127.0.0.1:4102`.
    public var label: String {
        (shardIndex.map { "#\($0) " } ?? "") + "\(blobberID.hex.prefix(8)) \(baseURL)"
    }

    /// `error`, which happened trying `method target`, as a sentence naming what was tried.
    func unreachable(_ error: any Error, _ method: String, _ target: String) -> ClientError {
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        return .blobberUnreachable(
            blobber: blobberID, reason: NetworkFailure.sentence(error, tried: "\(method) \(path)"))
    }

    // MARK: Writes (owner)

    /// Streams one shard: `body` yields its bytes in order, `length` in total (a multiple of 65 536).
    public func upload(
        uploadID: String, shardLength: UInt64, offset: UInt64 = 0, body: HTTPClientRequest.Body
    ) async throws(ClientError) -> UploadStatus {
        let route = BlobberRoute.upload(allocation: allocation, uploadID: uploadID)
        let target = "\(route)?\(BlobberRoute.Query.offset)=\(offset)"
        var request = signed("PUT", target, body: nil)
        request.headers.add(name: BlobberHeader.shardSize, value: String(shardLength))
        request.headers.add(name: "content-type", value: "application/octet-stream")
        request.body = body
        let timeout = TimeAmount.seconds(60 + Int64(shardLength >> 23))  // 60 s + 1 s per 8 MiB
        return try decode(try await send(request, timeout: timeout), as: UploadStatus.self)
    }

    public func uploadStatus(uploadID: String) async throws(ClientError) -> UploadStatus {
        try decode(
            try await send(signed("GET", BlobberRoute.upload(allocation: allocation, uploadID: uploadID), body: nil)),
            as: UploadStatus.self)
    }

    public func dropUpload(uploadID: String) async throws(ClientError) {
        let target = BlobberRoute.upload(allocation: allocation, uploadID: uploadID)
        let reply = try await send(signed("DELETE", target, body: []))
        guard reply.status == 200 || reply.status == 204 || reply.status == 404 else { throw refusal(reply) }
    }

    public func proofs(paths: [String]) async throws(ClientError) -> ProofsResponse {
        try await postJSON(
            BlobberRoute.proofs(allocation: allocation), ProofsRequest(paths: paths), as: ProofsResponse.self)
    }

    public func commit(_ request: CommitRequest) async throws(ClientError) -> CommitResponse {
        try await postJSON(BlobberRoute.commit(allocation: allocation), request, as: CommitResponse.self)
    }

    public func rollback(_ marker: WriteMarker) async throws(ClientError) -> CommitResponse {
        try await postJSON(
            BlobberRoute.rollback(allocation: allocation), RollbackRequest(marker: marker), as: CommitResponse.self)
    }

    /// Registers the re-encryption key of `request.ticket` (owner only).
    public func registerReencryptionKey(_ request: ReencryptionKeyRequest) async throws(ClientError)
        -> ReencryptionKeyResponse
    {
        try await postJSON(
            BlobberRoute.reencryptionKeys(allocation: allocation), request, as: ReencryptionKeyResponse.self)
    }

    public func state() async throws(ClientError) -> AllocationStateResponse {
        try decode(
            try await send(signed("GET", BlobberRoute.state(allocation: allocation), body: nil)),
            as: AllocationStateResponse.self)
    }

    // MARK: Reads (owner or ticket)

    /// The entry at `path` with its proof and the latest marker; nil when the blobber has no such file.
    public func file(_ path: String) async throws(ClientError) -> FileResponse? {
        let target = "\(BlobberRoute.file(allocation: allocation))?\(BlobberRoute.Query.path)=\(Self.query(path))"
        let reply = try await send(signed("GET", target, body: nil))
        if reply.status == 404, (try? reply.decode(ErrorBody.self))?.code == "read.not_found" { return nil }
        return try decode(reply, as: FileResponse.self)
    }

    public func list(_ directory: String) async throws(ClientError) -> ListResponse {
        let target = "\(BlobberRoute.list(allocation: allocation))?\(BlobberRoute.Query.path)=\(Self.query(directory))"
        return try decode(try await send(signed("GET", target, body: nil)), as: ListResponse.self)
    }

    /// Every file entry under `directory` (ending in `/`), walking `list` through its subdirectories
    /// (at most a million directories).
    public func allFiles(under directory: String) async throws(ClientError) -> [FileEntry] {
        var out: [FileEntry] = []
        var pending = [directory]
        var visited = 0
        while let next = pending.popLast(), visited < 1_000_000 {
            visited += 1
            let listing = try await list(next)
            out += listing.files
            pending += listing.directories.map { next + $0 }
        }
        return out
    }

    /// Blocks `[start, start + count)` of `path`'s shard: the range proof from the headers, and the body
    /// still to be read (`count × 65 536` bytes), so the caller can place the bytes where they belong as
    /// they arrive instead of collecting them first.
    public func openBlocks(path: String, start: Int, count: Int) async throws(ClientError) -> BlockStream {
        let target =
            "\(BlobberRoute.blocks(allocation: allocation))?\(BlobberRoute.Query.path)=\(Self.query(path))"
            + "&\(BlobberRoute.Query.start)=\(start)&\(BlobberRoute.Query.count)=\(count)"
        let response: HTTPClientResponse
        do {
            response = try await transport.client.execute(signed("GET", target, body: nil), timeout: .seconds(30))
        } catch {
            throw unreachable(error, "GET", target)
        }
        let status = Int(response.status.code)
        guard status == 200 else {
            let body = (try? await response.body.collect(upTo: HTTPTransport.maxErrorBytes)) ?? ByteBuffer()
            throw refusal(HTTPReply(status: status, headers: response.headers, body: body))
        }
        guard let rootText = response.headers.first(name: BlobberHeader.shardRoot), let root = Hash(hex: rootText),
            let countText = response.headers.first(name: BlobberHeader.blockCount), let leafCount = Int(countText),
            let proofText = response.headers.first(name: BlobberHeader.rangeProof),
            let proofBytes = Hex.decode(proofText)
        else {
            throw .badAnswer(
                blobber: blobberID,
                reason: "blocks answer lacks x-blob-shard-root, x-blob-block-count or x-blob-range-proof")
        }
        do {
            let proof = try ShardRangeProof(
                start: start, count: count, leafCount: leafCount, serializedHashes: proofBytes)
            return BlockStream(shardRoot: root, proof: proof, body: response.body)
        } catch {
            throw .badAnswer(blobber: blobberID, reason: "bad range proof: \(error)")
        }
    }

    /// The node's identity, capacity, bytes on disk and region (`GET /v1/info`, unsigned).
    public func info() async throws(ClientError) -> BlobberInfo {
        try decode(try await send(HTTPClientRequest(url: baseURL + BlobberRoute.info), timeout: .seconds(5)), as: BlobberInfo.self)
    }

    public func health() async throws(ClientError) {
        let reply = try await send(HTTPClientRequest(url: baseURL + BlobberRoute.health), timeout: .seconds(5))
        guard reply.status == 200 else { throw refusal(reply) }
    }

    // MARK: Plumbing

    /// Percent-encodes a path for a query value.
    static func query(_ path: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    /// A request for `target` signed per docs/PROTOCOL.md section 8 "Authentication"; `body` nil
    /// signs `UNSIGNED-PAYLOAD` (shard uploads) or, for GETs, the empty body's digest.
    func signed(_ method: String, _ target: String, body: [UInt8]?) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + target)
        request.method = HTTPMethod(rawValue: method)
        let signedBody: [UInt8]? = method == "PUT" ? nil : (body ?? [])
        let auth = RequestAuth.sign(
            for: blobberID, method: method, target: target, body: signedBody, timestamp: Clock.nowMillis, key: signer)
        for (name, value) in auth.headers { request.headers.add(name: name, value: value) }
        if let ticket { request.headers.add(name: BlobberHeader.ticket, value: Hex.encode(ClientJSON.encode(ticket))) }
        if let body, !body.isEmpty {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    func postJSON<T: Decodable>(_ target: String, _ value: some Encodable, as type: T.Type) async throws(ClientError)
        -> T
    {
        let body = ClientJSON.encode(value)
        return try decode(try await send(signed("POST", target, body: body), timeout: .seconds(120)), as: type)
    }

    func send(_ request: HTTPClientRequest, timeout: TimeAmount = .seconds(30), limit: Int = HTTPTransport.maxJSONBytes)
        async throws(ClientError) -> HTTPReply
    {
        do {
            return try await transport.send(request, timeout: timeout, limit: limit)
        } catch {
            throw unreachable(error, request.method.rawValue, String(request.url.dropFirst(baseURL.count)))
        }
    }

    func refusal(_ reply: HTTPReply) -> ClientError {
        if let body = try? reply.decode(ErrorBody.self) {
            return .blobberRefused(blobber: blobberID, status: reply.status, code: body.code, message: body.message)
        }
        return .blobberRefused(
            blobber: blobberID, status: reply.status, code: "http.\(reply.status)", message: "HTTP \(reply.status)")
    }

    func decode<T: Decodable>(_ reply: HTTPReply, as type: T.Type) throws(ClientError) -> T {
        guard reply.status == 200 else { throw refusal(reply) }
        do {
            return try reply.decode(type)
        } catch {
            throw .badAnswer(blobber: blobberID, reason: "not the expected JSON: \(error)")
        }
    }
}

/// An answer to a block read whose body is still arriving: nothing in it is verified yet.
public struct BlockStream: Sendable {
    public var shardRoot: Hash
    public var proof: ShardRangeProof
    public var body: HTTPClientResponse.Body
}
