import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import Merkle
import StorageProtocol

enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let bytes = TransactionCoding.encode(value)
        BlobberMetrics.bytesOut.increment(by: bytes.count)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Query parameters decoded to raw bytes: percent escapes are undone without assuming UTF-8, so a
/// path parameter with invalid UTF-8 reaches `RemotePath(utf8:)` and is refused there.
struct RawQuery {
    var values: [String: [UInt8]] = [:]

    init(_ query: String?) throws {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(decoding: try Self.decode(parts[0]), as: UTF8.self)
            values[name] = parts.count > 1 ? try Self.decode(parts[1]) : []
        }
    }

    static func decode(_ text: Substring) throws -> [UInt8] {
        var out = [UInt8]()
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            if byte == UInt8(ascii: "%") {
                // Two hex digits exactly: `UInt8(_:radix:)` alone would take "+2" or "-0" too.
                guard bytes.count >= 2, bytes.prefix(2).allSatisfy({ Self.isHexDigit($0) }),
                    let value = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
                else { throw BlobberError.malformed("bad percent escape in the query") }
                out.append(value)
                bytes = bytes.dropFirst(2)
            } else if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(byte)
            }
        }
        return out
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    func path(_ name: String) throws -> RemotePath {
        guard let bytes = values[name] else { throw BlobberError.malformed("missing query parameter \(name)") }
        return try RemotePath(utf8: bytes)
    }

    func integer(_ name: String) throws -> UInt64? {
        guard let bytes = values[name] else { return nil }
        guard let value = UInt64(String(decoding: bytes, as: UTF8.self)) else {
            throw BlobberError.malformed("\(name) must be an unsigned integer")
        }
        return value
    }
}

extension Request {
    func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }

    var signedRequest: RequestAuth {
        get throws { try RequestAuth(header: { header($0) }) }
    }
}

/// Counts every request in `blobber_requests_total` (per-route counts and durations come from Hummingbird's
/// `MetricsMiddleware`).
struct RequestCountMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        BlobberMetrics.requests.increment()
        return try await next(request, context)
    }
}
