import Client
import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts,
/// ListMultipartUploads over `MultipartStore`.
extension GatewayResponder {
    public var multipart: MultipartStore { MultipartStore(home: home) }

    func createUpload(_ request: Request, bucket: String, key: ObjectKey) async throws -> Response {
        _ = try StorageLayout.object(bucket, key)
        let id = try multipart.create(
            .init(
                bucket: bucket, key: key.text, contentType: request.headers[.contentType] ?? "binary/octet-stream",
                userMeta: Self.userMeta(request), initiatedAt: ObjectStore.nowMillis()))
        return Self.xml(
            S3XML.header + "<InitiateMultipartUploadResult xmlns=\"\(S3XML.namespace)\">"
                + S3XML.element("Bucket", bucket)
                + S3XML.element("Key", key.text) + S3XML.element("UploadId", id) + "</InitiateMultipartUploadResult>")
    }

    func uploadPart(
        _ request: Request, bucket: String, key: ObjectKey, uploadID: String, query: [String: String],
        grant: SigV4Grant
    ) async throws -> Response {
        guard let number = query["partNumber"].flatMap({ Int($0) }), (1...MultipartStore.maximumParts).contains(number)
        else { throw GatewayError.invalidRequest("partNumber must be 1...10000") }
        _ = try multipart.upload(uploadID, bucket: bucket, key: key)
        let staged = try await stage(request, grant: grant)
        do { try multipart.addPart(uploadID, number: number, staged: staged) } catch {
            staged.remove()
            throw error
        }
        var headers = HTTPFields()
        headers[.eTag] = "\"" + staged.etag + "\""
        return Response(status: .ok, headers: headers)
    }

    func completeUpload(_ request: Request, bucket: String, key: ObjectKey, uploadID: String) async throws -> Response {
        let upload = try multipart.upload(uploadID, bucket: bucket, key: key)
        let body = try await Self.collect(request, limit: 4 << 20)
        let listed = try SimpleXMLReader.parse(body, groupElement: "Part").map { part throws(GatewayError) in
            guard let number = part["PartNumber"].flatMap({ Int($0) }), let etag = part["ETag"] else {
                throw GatewayError.malformedXML("each Part needs PartNumber and ETag")
            }
            return (number: number, etag: etag)
        }
        let (parts, etag) = try multipart.resolve(uploadID, listed: listed)
        var size: UInt64 = 0
        for part in parts {
            let (sum, overflow) = size.addingReportingOverflow(part.size)
            guard !overflow, sum <= configuration.maxObjectBytes else {
                throw GatewayError.bodyTooLarge("the object would be over \(configuration.maxObjectBytes) bytes")
            }
            size = sum
        }
        let source = ByteSource(size: size, ConcatenatedFiles(paths: parts.map(\.path)))
        try await store.put(
            bucket, key, body: .source(source), size: size, etag: etag, sha256: "", contentType: upload.contentType,
            userMeta: upload.userMeta, ttlSeconds: nil)
        try? multipart.abort(uploadID)
        return Self.xml(
            S3XML.header + "<CompleteMultipartUploadResult xmlns=\"\(S3XML.namespace)\">"
                + S3XML.element("Location", "/" + bucket + "/" + key.text) + S3XML.element("Bucket", bucket)
                + S3XML.element("Key", key.text) + S3XML.element("ETag", "\"" + etag + "\"")
                + "</CompleteMultipartUploadResult>")
    }

    func abortUpload(bucket: String, key: ObjectKey, uploadID: String) async throws -> Response {
        _ = try multipart.upload(uploadID, bucket: bucket, key: key)
        try multipart.abort(uploadID)
        return Response(status: .noContent)
    }

    func listParts(bucket: String, key: ObjectKey, uploadID: String) async throws -> Response {
        _ = try multipart.upload(uploadID, bucket: bucket, key: key)
        var xml =
            S3XML.header + "<ListPartsResult xmlns=\"\(S3XML.namespace)\">" + S3XML.element("Bucket", bucket)
            + S3XML.element("Key", key.text) + S3XML.element("UploadId", uploadID)
            + S3XML.element("IsTruncated", "false")
        for part in try multipart.parts(uploadID) {
            xml +=
                "<Part>" + S3XML.element("PartNumber", String(part.number))
                + S3XML.element("LastModified", S3XML.time(part.modifiedAt))
                + S3XML.element("ETag", "\"" + part.etag + "\"") + S3XML.element("Size", String(part.size)) + "</Part>"
        }
        return Self.xml(xml + "</ListPartsResult>")
    }

    func listUploads(bucket: String) async throws -> Response {
        var xml =
            S3XML.header + "<ListMultipartUploadsResult xmlns=\"\(S3XML.namespace)\">"
            + S3XML.element("Bucket", bucket) + S3XML.element("IsTruncated", "false")
        for (id, upload) in multipart.uploads() where upload.bucket == bucket {
            xml +=
                "<Upload>" + S3XML.element("Key", upload.key) + S3XML.element("UploadId", id)
                + S3XML.element("Initiated", S3XML.time(upload.initiatedAt)) + "</Upload>"
        }
        return Self.xml(xml + "</ListMultipartUploadsResult>")
    }
}
