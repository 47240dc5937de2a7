import Client
import Merkle
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// S3, path-style: `/BUCKET` and `/BUCKET/KEY`, every request signed (SigV4 header or presigned URL)
/// with an access key granted the bucket.
extension GatewayResponder {
    struct S3Target {
        var bucket: String?
        var key: ObjectKey?
        var query: [String: String]
        /// The key ended in `/`: the folder object `key/` (`key` without the `/`).
        var folder = false
    }

    static func s3Target(rawPath: String, rawQuery: String) throws(GatewayError) -> S3Target {
        var query: [String: String] = [:]
        for pair in SigV4.queryPairs(rawQuery) { query[pair.name] = pair.value }
        var path = Substring(rawPath)
        while path.hasPrefix("/") { path = path.dropFirst() }
        guard !path.isEmpty else { return S3Target(bucket: nil, key: nil, query: query) }
        let parts = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let bucket = SigV4.percentDecode(String(parts[0]))
        guard parts.count == 2, !parts[1].isEmpty else { return S3Target(bucket: bucket, key: nil, query: query) }
        // `KEY/`: a folder object (s3fs's mkdir, the consoles' "create folder"); one trailing / only.
        if parts[1].hasSuffix("/"), parts[1].count > 1 {
            return S3Target(bucket: bucket, key: try key(parts[1].dropLast()), query: query, folder: true)
        }
        return S3Target(bucket: bucket, key: try key(parts[1]), query: query)
    }

    func respondS3(to request: Request, rawPath: String, requestID: String) async throws -> Response {
        let target = try Self.s3Target(rawPath: rawPath, rawQuery: request.uri.query ?? "")
        guard let (key, grant) = try authenticate(request, rawPath: rawPath), let grant else {
            throw GatewayError.unauthenticated(
                "S3 requests need a SigV4 signature (an access key from gateway keys create)")
        }
        guard let bucket = target.bucket else {
            guard request.method == .get else { throw GatewayError.methodNotAllowed("/ takes GET (ListBuckets)") }
            return try await listBuckets(for: key)
        }
        guard key.allows(bucket: bucket) else {
            throw GatewayError.accessDenied("access key \(key.accessKeyID) is not granted bucket \(bucket)")
        }
        let name = try BucketName(bucket).text
        // The bucket's allocation (an S3 policy's, or the gateway's own) serves all of it.
        return try await routed(bucket: name).respondS3(
            to: request, bucket: name, target: target, key: key, grant: grant)
    }

    func respondS3(to request: Request, bucket name: String, target: S3Target, key: AccessKey, grant: SigV4Grant)
        async throws -> Response
    {
        guard let objectKey = target.key else {
            return try await bucketRequest(request, bucket: name, query: target.query)
        }
        guard try await store.bucketExists(name) else { throw GatewayError.noSuchBucket(name) }
        if target.folder {
            return try await folderRequest(request, bucket: name, key: objectKey, accessKey: key, grant: grant)
        }
        switch request.method {
        case .put:
            if let uploadID = target.query["uploadId"] {
                return try await uploadPart(
                    request, bucket: name, key: objectKey, uploadID: uploadID, query: target.query, grant: grant)
            }
            if let source = request.headers[HTTPField.Name("x-amz-copy-source")!] {
                return try await copyObject(request, bucket: name, key: objectKey, source: source, accessKey: key)
            }
            return try await putObject(request, bucket: name, key: objectKey, grant: grant)
        case .get, .head:
            if let uploadID = target.query["uploadId"], request.method == .get {
                return try await listParts(bucket: name, key: objectKey, uploadID: uploadID)
            }
            return try await getObject(request, bucket: name, key: objectKey)
        case .delete:
            if let uploadID = target.query["uploadId"] {
                return try await abortUpload(bucket: name, key: objectKey, uploadID: uploadID)
            }
            try await store.delete(name, [objectKey])
            return Response(status: .noContent)
        case .post:
            if target.query["uploads"] != nil {
                return try await createUpload(request, bucket: name, key: objectKey)
            }
            if let uploadID = target.query["uploadId"] {
                return try await completeUpload(request, bucket: name, key: objectKey, uploadID: uploadID)
            }
            throw GatewayError.invalidRequest("POST on an object takes ?uploads or ?uploadId")
        default:
            throw GatewayError.methodNotAllowed("\(request.method) is not an S3 object operation here")
        }
    }

    // MARK: Buckets

    func listBuckets(for key: AccessKey) async throws -> Response {
        var buckets: [(name: String, createdAt: Int64)] = []
        for store in allStores { buckets += try await store.buckets().filter { key.allows(bucket: $0.name) } }
        buckets.sort { $0.name < $1.name }
        var xml = S3XML.header + "<ListAllMyBucketsResult xmlns=\"\(S3XML.namespace)\">"
        xml +=
            "<Owner>" + S3XML.element("ID", key.accessKeyID) + S3XML.element("DisplayName", key.accessKeyID)
            + "</Owner>"
        xml += "<Buckets>"
        for bucket in buckets {
            xml +=
                "<Bucket>" + S3XML.element("Name", bucket.name)
                + S3XML.element("CreationDate", S3XML.time(bucket.createdAt)) + "</Bucket>"
        }
        xml += "</Buckets></ListAllMyBucketsResult>"
        return Self.xml(xml)
    }

    func bucketRequest(_ request: Request, bucket: String, query: [String: String]) async throws -> Response {
        switch request.method {
        case .put:
            guard !Self.reservedBuckets.contains(bucket) else {
                throw GatewayError.invalidBucketName(bucket + " (reserved for the key-value API)")
            }
            _ = try await Self.collect(request, limit: 64 << 10)  // CreateBucketConfiguration, if any
            try await store.createBucket(bucket)
            var headers = HTTPFields()
            headers[.location] = "/" + bucket
            return Response(status: .ok, headers: headers)
        case .head:
            guard try await store.bucketExists(bucket) else { throw GatewayError.noSuchBucket(bucket) }
            return Response(status: .ok)
        case .delete:
            try await store.deleteBucket(bucket)
            return Response(status: .noContent)
        case .get:
            guard try await store.bucketExists(bucket) else { throw GatewayError.noSuchBucket(bucket) }
            if query["location"] != nil {
                return Self.xml(
                    S3XML.header + "<LocationConstraint xmlns=\"\(S3XML.namespace)\">"
                        + S3XML.escape(configuration.region) + "</LocationConstraint>")
            }
            if query["uploads"] != nil { return try await listUploads(bucket: bucket) }
            return try await listObjects(bucket: bucket, query: query)
        case .post:
            guard query["delete"] != nil else { throw GatewayError.invalidRequest("POST on a bucket takes ?delete") }
            guard try await store.bucketExists(bucket) else { throw GatewayError.noSuchBucket(bucket) }
            return try await deleteObjects(request, bucket: bucket)
        default:
            throw GatewayError.methodNotAllowed("\(request.method) is not an S3 bucket operation here")
        }
    }

    /// ListObjectsV2 (and V1 with `marker`): prefix, delimiter, max-keys, continuation-token, start-after.
    func listObjects(bucket: String, query: [String: String]) async throws -> Response {
        let v2 = query["list-type"] == "2"
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        var maxKeys = 1000
        if let text = query["max-keys"] {
            guard let value = Int(text), value >= 0 else { throw GatewayError.invalidRequest("max-keys must be ≥ 0") }
            maxKeys = min(value, 1000)
        }
        var after = v2 ? (query["start-after"] ?? "") : (query["marker"] ?? "")
        if v2, let token = query["continuation-token"], !token.isEmpty {
            guard let data = Data(base64Encoded: token), let decoded = String(data: data, encoding: .utf8) else {
                throw GatewayError.invalidRequest("the continuation token is not valid")
            }
            after = max(after, decoded)
        }
        let all = try await store.keys(bucket)
        var contents: [(key: String, entry: FileEntryView)] = []
        var prefixes: [String] = []
        var truncated = false
        var last = ""
        for item in all where item.key.hasPrefix(prefix) && item.key > after {
            var rolled: String? = nil
            if let delimiter, let range = item.key.dropFirst(prefix.count).range(of: delimiter) {
                rolled = String(item.key[..<range.upperBound])
            }
            if let rolled {
                if prefixes.last == rolled { continue }
                if rolled <= after { continue }
            }
            if contents.count + prefixes.count >= maxKeys {
                truncated = true
                break
            }
            if let rolled {
                prefixes.append(rolled)
                last = rolled
            } else {
                contents.append(
                    (item.key, FileEntryView(size: UInt64(clamping: item.entry.size), modified: item.entry.updatedAt)))
                last = item.key
            }
        }
        // A rolled-up prefix continues after every key under it.
        let nextMarker = prefixes.last == last ? last + "\u{10FFFF}" : last
        let listed = contents.map(\.key)
        let store = self.store
        let metas = await withTaskGroup(of: (Int, ObjectMeta?).self) { group in
            var found = [ObjectMeta?](repeating: nil, count: listed.count)
            var next = 0
            func add(_ index: Int) {
                let key = listed[index]
                group.addTask {
                    if key.hasSuffix("/") {
                        guard let objectKey = try? ObjectKey(String(key.dropLast())) else { return (index, nil) }
                        return (index, try? await store.folderMeta(bucket, objectKey))
                    }
                    guard let objectKey = try? ObjectKey(key) else { return (index, nil) }
                    return (index, try? await store.meta(bucket, objectKey))
                }
            }
            while next < min(8, listed.count) {
                add(next)
                next += 1
            }
            for await (index, meta) in group {
                found[index] = meta
                if next < listed.count {
                    add(next)
                    next += 1
                }
            }
            return found
        }
        // encoding-type=url: keys and prefixes URL-encoded (aws-cli asks for it).
        let urlEncoded = query["encoding-type"] == "url"
        func name(_ text: String) -> String { urlEncoded ? SigV4.encode(text, keepSlash: true) : text }
        var xml = S3XML.header + "<ListBucketResult xmlns=\"\(S3XML.namespace)\">"
        xml += S3XML.element("Name", bucket) + S3XML.element("Prefix", name(prefix))
        if let delimiter { xml += S3XML.element("Delimiter", name(delimiter)) }
        if urlEncoded { xml += S3XML.element("EncodingType", "url") }
        xml += S3XML.element("MaxKeys", String(maxKeys)) + S3XML.element("IsTruncated", truncated ? "true" : "false")
        if v2 {
            xml += S3XML.element("KeyCount", String(contents.count + prefixes.count))
            if let token = query["continuation-token"] { xml += S3XML.element("ContinuationToken", token) }
            if let startAfter = query["start-after"] { xml += S3XML.element("StartAfter", name(startAfter)) }
            if truncated {
                xml += S3XML.element("NextContinuationToken", Data(nextMarker.utf8).base64EncodedString())
            }
        } else {
            xml += S3XML.element("Marker", query["marker"] ?? "")
            if truncated { xml += S3XML.element("NextMarker", nextMarker) }
        }
        for (index, item) in contents.enumerated() {
            // Expired objects (and any whose metadata cannot be read) are not listed.
            guard let meta = metas[index] else { continue }
            xml += "<Contents>" + S3XML.element("Key", name(item.key))
            xml += S3XML.element("LastModified", S3XML.time(meta.modifiedAt))
            xml += S3XML.element("ETag", "\"" + meta.etag + "\"")
            xml += S3XML.element("Size", String(meta.size))
            xml += S3XML.element("StorageClass", "STANDARD") + "</Contents>"
        }
        for prefix in prefixes {
            xml += "<CommonPrefixes>" + S3XML.element("Prefix", name(prefix)) + "</CommonPrefixes>"
        }
        xml += "</ListBucketResult>"
        return Self.xml(xml)
    }

    struct FileEntryView {
        var size: UInt64
        var modified: Int64
    }

    func deleteObjects(_ request: Request, bucket: String) async throws -> Response {
        let body = try await Self.collect(request, limit: 2 << 20)
        let objects = try SimpleXMLReader.parse(body, groupElement: "Object")
        guard objects.count <= 1000 else { throw GatewayError.malformedXML("at most 1000 keys in one DeleteObjects") }
        var keys: [ObjectKey] = []
        var folders: [ObjectKey] = []
        var errors: [(String, GatewayError)] = []
        for object in objects {
            guard let text = object["Key"] else { continue }
            do {
                if text.hasSuffix("/"), text.count > 1 {
                    folders.append(try ObjectKey(String(text.dropLast())))
                } else {
                    keys.append(try ObjectKey(text))
                }
            } catch { errors.append((text, error)) }
        }
        try await store.delete(bucket, keys)
        try await store.deleteFolders(bucket, folders)
        var xml = S3XML.header + "<DeleteResult xmlns=\"\(S3XML.namespace)\">"
        for key in keys { xml += "<Deleted>" + S3XML.element("Key", key.text) + "</Deleted>" }
        for key in folders { xml += "<Deleted>" + S3XML.element("Key", key.text + "/") + "</Deleted>" }
        for (key, error) in errors {
            xml +=
                "<Error>" + S3XML.element("Key", key) + S3XML.element("Code", error.s3Code)
                + S3XML.element("Message", error.description) + "</Error>"
        }
        xml += "</DeleteResult>"
        return Self.xml(xml)
    }

    // MARK: Objects

    static func userMeta(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName.lowercased()
            if name.hasPrefix("x-amz-meta-") { out[String(name.dropFirst("x-amz-meta-".count))] = field.value }
        }
        return out
    }

    func putObject(_ request: Request, bucket: String, key: ObjectKey, grant: SigV4Grant) async throws -> Response {
        let staged = try await stage(request, grant: grant)
        defer { staged.remove() }
        if let md5 = request.headers[HTTPField.Name("content-md5")!] {
            guard Data(base64Encoded: md5).map({ Array($0) }) == staged.md5 else {
                throw GatewayError.badDigest("the body's MD5 is not the Content-MD5 sent")
            }
        }
        let meta = try await store.put(
            bucket, key, staged: staged, contentType: request.headers[.contentType] ?? "binary/octet-stream",
            userMeta: Self.userMeta(request), ttlSeconds: nil)
        var headers = HTTPFields()
        headers[.eTag] = "\"" + meta.etag + "\""
        return Response(status: .ok, headers: headers)
    }

    func objectHeaders(_ meta: ObjectMeta) -> HTTPFields {
        var headers = HTTPFields()
        headers[.eTag] = "\"" + meta.etag + "\""
        headers[.contentType] = meta.contentType
        headers[.lastModified] = S3XML.httpDate(meta.modifiedAt)
        headers[.acceptRanges] = "bytes"
        for (name, value) in meta.userMeta.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name("x-amz-meta-" + name) { headers[field] = value }
        }
        return headers
    }

    /// `bytes=A-B`, `bytes=A-`, `bytes=-N` → an inclusive range within `size`.
    static func parseRange(_ text: String, size: UInt64) throws(GatewayError) -> ClosedRange<UInt64> {
        guard text.hasPrefix("bytes="), !text.contains(",") else {
            throw .invalidRange("only one range of the form bytes=A-B is supported")
        }
        let spec = text.dropFirst("bytes=".count)
        guard let dash = spec.firstIndex(of: "-") else { throw .invalidRange("the range has no -") }
        let startText = spec[..<dash]
        let endText = spec[spec.index(after: dash)...]
        guard size > 0 else { throw .invalidRange("the object is empty") }
        if startText.isEmpty {
            guard let suffix = UInt64(endText), suffix > 0 else { throw .invalidRange("bytes=-N needs N ≥ 1") }
            return (size - min(suffix, size))...(size - 1)
        }
        guard let start = UInt64(startText), start < size else {
            throw .invalidRange("the range starts at or after the object's end (\(size) bytes)")
        }
        if endText.isEmpty { return start...(size - 1) }
        guard let end = UInt64(endText), end >= start else {
            throw .invalidRange("the range's end is before its start")
        }
        return start...min(end, size - 1)
    }

    func getObject(_ request: Request, bucket: String, key: ObjectKey) async throws -> Response {
        let meta = try await store.meta(bucket, key)
        var headers = objectHeaders(meta)
        if let ifNoneMatch = request.headers[.ifNoneMatch], ifNoneMatch == "\"" + meta.etag + "\"" {
            return Response(status: .notModified, headers: headers)
        }
        var range: ClosedRange<UInt64>? = nil
        if let rangeText = request.headers[.range] {
            range = try Self.parseRange(rangeText, size: meta.size)
        }
        if request.method == .head {
            headers[.contentLength] = String(meta.size)
            return Response(status: .ok, headers: headers)
        }
        let (_, body) = try await store.get(bucket, key, range: range)
        if let range {
            let length = range.upperBound - range.lowerBound + 1
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(meta.size)"
            headers[.contentLength] = String(length)
            return Response(status: .partialContent, headers: headers, body: Self.body(body, length: length))
        }
        headers[.contentLength] = String(meta.size)
        return Response(status: .ok, headers: headers, body: Self.body(body, length: meta.size))
    }

    func copyObject(_ request: Request, bucket: String, key: ObjectKey, source: String, accessKey: AccessKey)
        async throws -> Response
    {
        var text = source.split(separator: "?", maxSplits: 1).first.map(String.init) ?? source
        while text.hasPrefix("/") { text.removeFirst() }
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { throw GatewayError.invalidRequest("x-amz-copy-source must be BUCKET/KEY") }
        let sourceBucket = try BucketName(SigV4.percentDecode(String(parts[0]))).text
        let sourceKey = try Self.key(parts[1])
        guard accessKey.allows(bucket: sourceBucket) else {
            throw GatewayError.accessDenied("access key \(accessKey.accessKeyID) is not granted bucket \(sourceBucket)")
        }
        let sourceStore = try routed(bucket: sourceBucket).store
        guard try await sourceStore.bucketExists(sourceBucket) else { throw GatewayError.noSuchBucket(sourceBucket) }
        let sourceMeta = try await sourceStore.meta(sourceBucket, sourceKey)
        let (_, body) = try await sourceStore.get(sourceBucket, sourceKey)
        let staged: StagedBody
        switch body {
        case .bytes(let bytes):
            staged = try await StagedBody.stage(
                AsyncStreamOf([ByteBuffer(bytes: bytes)]), encoding: .plain, declared: sourceMeta.size,
                limit: configuration.maxObjectBytes, expectedSHA256: nil, folder: stagingFolder)
        case .stream(let stream):
            staged = try await StagedBody.stage(
                stream, encoding: .plain, declared: sourceMeta.size, limit: configuration.maxObjectBytes,
                expectedSHA256: nil, folder: stagingFolder)
        }
        defer { staged.remove() }
        let replace = request.headers[HTTPField.Name("x-amz-metadata-directive")!] == "REPLACE"
        let meta = try await store.put(
            bucket, key, staged: staged, etag: sourceMeta.etag,
            contentType: replace ? (request.headers[.contentType] ?? "binary/octet-stream") : sourceMeta.contentType,
            userMeta: replace ? Self.userMeta(request) : sourceMeta.userMeta, ttlSeconds: nil)
        let xml =
            S3XML.header + "<CopyObjectResult xmlns=\"\(S3XML.namespace)\">"
            + S3XML.element("LastModified", S3XML.time(meta.modifiedAt))
            + S3XML.element("ETag", "\"" + meta.etag + "\"") + "</CopyObjectResult>"
        return Self.xml(xml)
    }

    // MARK: Folder objects

    /// `KEY/`: PUT (an empty body, or a copy of another folder object), GET and HEAD (empty), DELETE.
    func folderRequest(
        _ request: Request, bucket: String, key: ObjectKey, accessKey: AccessKey, grant: SigV4Grant
    ) async throws
        -> Response
    {
        switch request.method {
        case .put:
            let contentType = request.headers[.contentType] ?? "application/x-directory"
            if let source = request.headers[HTTPField.Name("x-amz-copy-source")!] {
                // s3fs changes a folder's mode or times by copying it onto itself with new metadata.
                var text = source.split(separator: "?", maxSplits: 1).first.map(String.init) ?? source
                while text.hasPrefix("/") { text.removeFirst() }
                let parts = text.split(separator: "/", maxSplits: 1)
                guard parts.count == 2, parts[1].hasSuffix("/") else {
                    throw GatewayError.invalidRequest("a folder object (KEY/) can only be copied from another")
                }
                let sourceBucket = try BucketName(SigV4.percentDecode(String(parts[0]))).text
                let sourceKey = try Self.key(parts[1].dropLast())
                guard accessKey.allows(bucket: sourceBucket) else {
                    throw GatewayError.accessDenied(
                        "access key \(accessKey.accessKeyID) is not granted bucket \(sourceBucket)")
                }
                let sourceMeta = try await routed(bucket: sourceBucket).store.folderMeta(sourceBucket, sourceKey)
                let replace = request.headers[HTTPField.Name("x-amz-metadata-directive")!] == "REPLACE"
                let meta = try await store.putFolder(
                    bucket, key, contentType: replace ? contentType : sourceMeta.contentType,
                    userMeta: replace ? Self.userMeta(request) : sourceMeta.userMeta)
                return Self.xml(
                    S3XML.header + "<CopyObjectResult xmlns=\"\(S3XML.namespace)\">"
                        + S3XML.element("LastModified", S3XML.time(meta.modifiedAt))
                        + S3XML.element("ETag", "\"" + meta.etag + "\"") + "</CopyObjectResult>")
            }
            guard request.uri.query.map({ $0.isEmpty }) ?? true else {
                throw GatewayError.invalidRequest("a folder object (KEY/) takes a plain PUT, no multipart")
            }
            // Staged as any body, so its signed hash (or chunk signatures) is checked too.
            let staged = try await stage(request, grant: grant)
            defer { staged.remove() }
            guard staged.size == 0 else {
                throw GatewayError.invalidRequest("a key ending in / is a folder object and holds no bytes")
            }
            let meta = try await store.putFolder(
                bucket, key, contentType: contentType, userMeta: Self.userMeta(request))
            var headers = HTTPFields()
            headers[.eTag] = "\"" + meta.etag + "\""
            return Response(status: .ok, headers: headers)
        case .get, .head:
            let meta = try await store.folderMeta(bucket, key)
            var headers = objectHeaders(meta)
            headers[.contentLength] = "0"
            return Response(status: .ok, headers: headers)
        case .delete:
            try await store.deleteFolders(bucket, [key])
            return Response(status: .noContent)
        default:
            throw GatewayError.methodNotAllowed("\(request.method) is not an operation on a folder object (KEY/)")
        }
    }
}
