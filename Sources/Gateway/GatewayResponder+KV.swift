import StorageProtocol
import Client
import Foundation
import Hummingbird
import Merkle
import HTTPTypes
import NIOCore

/// Zenswarm's key-value API: `POST /store {"key","value"[,"ttl"]}`, `GET /retrieve/KEY`,
/// `POST /retrieve {"key"}`, and raw bytes at `PUT/GET/HEAD/DELETE /kv/KEY` (`?ttl=SECONDS` or an
/// `X-TTL` header). Writes need a credential; reads too unless `open_reads`.
extension GatewayResponder {
    static let maxJSONBody = 16 << 20
    static let bucket = StorageLayout.kvBucket

    func respondKV(to request: Request, rawPath: String) async throws -> Response {
        if rawPath == "/health" { return Self.json(["status": "ok"]) }
        if rawPath == "/policies", request.method == .get {
            if !configuration.openReads { try requireKVCredential(request, rawPath: rawPath) }
            return Self.json(["policies": policies.map(Self.describe)])
        }
        switch (request.method, rawPath) {
        case (.post, "/store"):
            let caller = try requireKVCredential(request, rawPath: rawPath)
            return try await store(request, caller: caller)
        case (.post, "/retrieve"):
            if !configuration.openReads { try requireKVCredential(request, rawPath: rawPath) }
            let body = try await Self.collect(request, limit: 64 << 10)
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                let keyText = object["key"] as? String
            else { throw GatewayError.invalidRequest("the body must be a JSON object with a string \"key\"") }
            return try await retrieve(try ObjectKey(keyText))
        default: break
        }
        if rawPath.hasPrefix("/retrieve/"), request.method == .get || request.method == .head {
            if !configuration.openReads { try requireKVCredential(request, rawPath: rawPath) }
            return try await retrieve(try Self.key(rawPath.dropFirst("/retrieve/".count)))
        }
        if rawPath.hasPrefix("/verify/"), request.method == .get {
            if !configuration.openReads { try requireKVCredential(request, rawPath: rawPath) }
            return try await verify(try Self.key(rawPath.dropFirst("/verify/".count)))
        }
        if rawPath.hasPrefix("/kv/") {
            let key = try Self.key(rawPath.dropFirst("/kv/".count))
            switch request.method {
            case .put:
                let caller = try requireKVCredential(request, rawPath: rawPath)
                return try await putRaw(request, key: key, caller: caller)
            case .get, .head:
                if !configuration.openReads { try requireKVCredential(request, rawPath: rawPath) }
                let (meta, body) = try await locate(key).get(Self.bucket, key)
                var headers = HTTPFields()
                headers[.contentType] = meta.contentType
                headers[.contentLength] = String(meta.size)
                headers[.eTag] = "\"" + meta.etag + "\""
                if let expiresAt = meta.expiresAt { headers[HTTPField.Name("x-expires-at")!] = String(expiresAt) }
                if let peg = meta.peg { headers[HTTPField.Name("x-peg-txid")!] = peg.txid }
                if request.method == .head { return Response(status: .ok, headers: headers) }
                return Response(status: .ok, headers: headers, body: Self.body(body, length: meta.size))
            case .delete:
                try requireKVCredential(request, rawPath: rawPath)
                var deleted: [ObjectKey] = []
                for store in allStores { deleted += try await store.delete(Self.bucket, [key]) }
                guard !deleted.isEmpty else { throw GatewayError.noSuchKey(key.text) }
                return Self.json(["key": key.text, "deleted": true])
            default:
                throw GatewayError.methodNotAllowed("/kv/KEY takes PUT, GET, HEAD and DELETE")
            }
        }
        throw GatewayError.methodNotAllowed("\(request.method) \(rawPath.prefix(64)) is not part of the key-value API")
    }

    /// A key from the raw path: percent-decoded, then checked as bytes (invalid UTF-8 refused).
    static func key(_ raw: Substring) throws(GatewayError) -> ObjectKey {
        try ObjectKey(utf8: SigV4.percentDecodeBytes(String(raw)))
    }

    @discardableResult
    func requireKVCredential(_ request: Request, rawPath: String) throws(GatewayError) -> AccessKey {
        guard let (key, _) = try authenticate(request, rawPath: rawPath) else {
            throw .unauthenticated("key-value writes need Authorization: Bearer API_KEY (gateway keys create) or SigV4")
        }
        guard key.allows(bucket: Self.bucket) else {
            throw .accessDenied("this key is not granted the key-value store (bucket .kv)")
        }
        return key
    }

    /// The store holding a live `key`: the gateway's own allocation first, then each policy's.
    func locate(_ key: ObjectKey) async throws(GatewayError) -> ObjectStore {
        let stores = allStores
        // No `return` inside the typed `do`: Swift 6.3.1's optimiser has miscompiled that shape
        // (scripts/test.sh).
        for candidate in stores.dropLast() {
            let found: Bool
            do throws(GatewayError) {
                _ = try await candidate.meta(Self.bucket, key)
                found = true
            } catch .noSuchKey {
                found = false
            }
            if found { return candidate }
        }
        return stores.last ?? store
    }

    static func describe(_ policy: Policy) -> [String: Any] {
        var out: [String: Any] = [
            "name": policy.name, "match": policy.match, "type": policy.type, "provenance": policy.provenance,
        ]
        if let ttl = policy.ttl { out["ttl"] = ttl }
        if policy.peg { out["peg"] = true }
        if !policy.allocation.isEmpty { out["allocation"] = policy.allocation }
        if !policy.bucket.isEmpty { out["bucket"] = policy.bucket }
        return out
    }

    func ttl(_ value: Any?) throws(GatewayError) -> Int64? {
        guard let value else { return nil }
        let seconds: Int64
        if let number = value as? NSNumber, let exact = Int64(exactly: number.doubleValue) {
            seconds = exact
        } else if let text = value as? String, let parsed = Int64(text) {
            seconds = parsed
        } else {
            throw .invalidRequest("ttl must be a whole number of seconds")
        }
        guard seconds >= 1, seconds <= configuration.maxTTL else {
            throw .invalidRequest("ttl must be 1...\(configuration.maxTTL) seconds")
        }
        return seconds
    }

    func store(_ request: Request, caller: AccessKey) async throws -> Response {
        let body = try await Self.collect(request, limit: Self.maxJSONBody)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw GatewayError.invalidRequest("the body must be a JSON object {\"key\": ..., \"value\": ...}")
        }
        guard let keyText = object["key"] as? String else {
            throw GatewayError.invalidRequest("\"key\" must be a string")
        }
        let key = try ObjectKey(keyText)
        guard let value = object["value"] else { throw GatewayError.invalidRequest("\"value\" is missing") }
        let dataType = object["type"] as? String ?? "application/json"
        let provenance = object["provenance"] as? String ?? caller.accessKeyID
        let policy = Policy.first(policies, key: key.text, type: dataType, provenance: provenance)
        let ttl = try ttl(object["ttl"]) ?? policy?.ttl
        var pegged = policy?.peg == true
        if let field = object["peg"] {
            guard let flag = field as? Bool else { throw GatewayError.invalidRequest("\"peg\" must be true or false") }
            pegged = pegged || flag
        }
        let bytes: Data
        do {
            bytes = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
        } catch {
            throw GatewayError.invalidRequest("\"value\" is not JSON")
        }
        let single = [ByteBuffer(bytes: bytes)]
        let staged = try await StagedBody.stage(
            AsyncStreamOf(single), encoding: .plain, declared: UInt64(bytes.count), limit: configuration.maxObjectBytes,
            expectedSHA256: nil, folder: stagingFolder)
        defer { staged.remove() }
        let holder = try store(for: policy)
        let peg = try await pegIfAsked(pegged, staged: staged, holder: holder, key: key, ttl: ttl)
        let meta = try await holder.put(
            Self.bucket, key, staged: staged, contentType: "application/json", userMeta: [:], ttlSeconds: ttl, peg: peg)
        var out = answer(key: key, meta: meta)
        if let policy { out["policy"] = policy.name }
        return Self.json(out, status: .created)
    }

    func putRaw(_ request: Request, key: ObjectKey, caller: AccessKey) async throws -> Response {
        var ttlValue: String? = request.headers[HTTPField.Name("x-ttl")!]
        for pair in SigV4.queryPairs(request.uri.query ?? "") where pair.name == "ttl" { ttlValue = pair.value }
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let policy = Policy.first(policies, key: key.text, type: contentType, provenance: caller.accessKeyID)
        let ttl = try ttl(ttlValue) ?? policy?.ttl
        var pegValue: String? = request.headers[HTTPField.Name("x-peg")!]
        for pair in SigV4.queryPairs(request.uri.query ?? "") where pair.name == "peg" { pegValue = pair.value }
        var pegged = policy?.peg == true
        if let pegValue {
            switch pegValue.lowercased() {
            case "true", "1": pegged = true
            case "false", "0": break
            default: throw GatewayError.invalidRequest("peg must be true or false")
            }
        }
        let grant = try authenticate(request, rawPath: request.uri.path)?.grant
        let staged = try await stage(request, grant: grant)
        defer { staged.remove() }
        let holder = try store(for: policy)
        let peg = try await pegIfAsked(pegged, staged: staged, holder: holder, key: key, ttl: ttl)
        let meta = try await holder.put(
            Self.bucket, key, staged: staged, contentType: contentType, userMeta: [:], ttlSeconds: ttl, peg: peg)
        var out = answer(key: key, meta: meta)
        if let policy { out["policy"] = policy.name }
        return Self.json(out, status: .created)
    }

    func answer(key: ObjectKey, meta: ObjectMeta) -> [String: Any] {
        var out: [String: Any] = ["key": key.text, "hash": meta.sha256, "size": meta.size]
        if let expiresAt = meta.expiresAt { out["expires_at"] = expiresAt }
        if let peg = meta.peg {
            out["txid"] = peg.txid
            out["uri"] = peg.uri
        }
        return out
    }

    /// Pegs a staged value before it is committed, when asked (docs/GATEWAY.md, "Pegging"): the peg
    /// transaction holds the SHA-256 computed while the body streamed in and the value's uri, and its id
    /// then goes into the same commit as the value. Everything that can refuse the key is checked first,
    /// so a key the allocation refuses is not pegged; a peg the ledger does not record stores nothing.
    func pegIfAsked(_ asked: Bool, staged: StagedBody, holder: ObjectStore, key: ObjectKey, ttl: Int64?)
        async throws(GatewayError) -> PegReference?
    {
        guard asked else { return nil }
        guard let pegger else { throw .pegFailed("this gateway has no ledger to peg with") }
        _ = try StorageLayout.meta(Self.bucket, key)
        if ttl != nil { _ = try StorageLayout.ttlMarker(Self.bucket, key, expiresAt: ObjectStore.nowMillis()) }
        let uri = try Pegger.uri(allocation: holder.client.id, path: try StorageLayout.object(Self.bucket, key))
        return try await pegger.peg(sha256: staged.sha256, uri: uri)
    }

    /// `GET /verify/KEY`: reads the value again from the blobbers (not the cache), hashes it, reads the
    /// peg from the ledger and checks that the gateway's wallet signed it and that its hash and uri are
    /// the value's.
    func verify(_ key: ObjectKey) async throws -> Response {
        guard let pegger else { throw GatewayError.pegFailed("this gateway has no ledger to check pegs with") }
        let holder = try await locate(key)
        let (meta, actual, size) = try await holder.rehash(Self.bucket, key)
        guard let reference = meta.peg else { throw GatewayError.notPegged(key.text) }
        let uri = try Pegger.uri(allocation: holder.client.id, path: try StorageLayout.object(Self.bucket, key))
        let record = try await pegger.check(reference, uri: uri)
        guard actual == record.hash else {
            throw GatewayError.pegMismatch(
                "the value's SHA-256 is now \(actual) (\(size) bytes), peg \(record.txid) records \(record.hash)")
        }
        let out: [String: Any] = [
            "key": key.text, "verified": true, "hash": record.hash.hex, "uri": record.uri, "txid": record.txid.hex,
            "block": record.block, "applied_at": record.appliedAt, "signer": record.publicKey.hex, "size": size,
        ]
        return Self.json(out)
    }

    func retrieve(_ key: ObjectKey) async throws -> Response {
        let holder = try await locate(key)
        let meta = try await holder.meta(Self.bucket, key)
        guard meta.size <= UInt64(Self.maxJSONBody) else {
            throw GatewayError.invalidRequest("the value is \(meta.size) bytes; read it with GET /kv/KEY")
        }
        let (current, body) = try await holder.get(Self.bucket, key)
        var bytes: [UInt8]
        switch body {
        case .bytes(let b): bytes = b
        case .stream(let stream):
            bytes = []
            for try await chunk in stream { bytes += chunk.readableBytesView }
        }
        var out = answer(key: key, meta: current)
        if current.contentType == "application/json",
            let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        {
            out["value"] = value
        } else if let text = String(validating: bytes, as: UTF8.self) {
            out["value"] = text
        } else {
            out["value"] = Data(bytes).base64EncodedString()
            out["encoding"] = "base64"
        }
        out["content_type"] = current.contentType
        return Self.json(out)
    }
}

/// A fixed list of buffers as an async sequence.
struct AsyncStreamOf: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffers: [ByteBuffer]
    init(_ buffers: [ByteBuffer]) { self.buffers = buffers }
    struct AsyncIterator: AsyncIteratorProtocol {
        var index = 0
        let buffers: [ByteBuffer]
        mutating func next() async -> ByteBuffer? {
            guard index < buffers.count else { return nil }
            defer { index += 1 }
            return buffers[index]
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffers: buffers) }
}
