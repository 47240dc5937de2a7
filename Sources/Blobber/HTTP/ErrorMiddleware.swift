import Foundation
import Hummingbird
import Logging
import StorageProtocol

/// The one place where errors become HTTP answers: `{"code": ..., "message": ...}` with a status
/// chosen by the code's family. Unknown errors are logged and answered as `internal`.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any CodedError {
            context.logger.debug(
                "request refused", metadata: ["error.code": "\(error.code)", "error.message": "\(error.description)"])
            return Self.response(code: error.code, message: error.description)
        } catch let error as StorageError {
            context.logger.error("storage failure", metadata: ["error.message": "\(error.description)"])
            return Self.response(code: error.code, message: error.description)
        } catch let error as HTTPError {
            // Hummingbird's own refusals (no such route, a body it would not take) get documented codes too.
            let code =
                switch error.status {
                case .contentTooLarge: "request.too_large"
                case .notFound: "request.not_found"
                case .methodNotAllowed: "request.method_not_allowed"
                case _ where error.status.code >= 500: "internal"
                default: "request.malformed"
                }
            return Self.response(code: code, message: error.body ?? error.status.reasonPhrase, status: error.status)
        } catch let error as DecodingError {
            return Self.response(code: "request.malformed", message: "malformed JSON: \(Self.describe(error))")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            context.logger.error("unexpected error", metadata: ["error.message": "\(error)"])
            return Self.response(code: "internal", message: "internal error: \(error)")
        }
    }

    static func response(code: String, message: String, status: HTTPResponse.Status? = nil) -> Response {
        let data = (try? JSONEncoder().encode(ErrorBody(code: code, message: message))) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: status ?? httpStatus(for: code), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Status by code: the table in docs/PROTOCOL.md section 9.
    static func httpStatus(for code: String) -> HTTPResponse.Status {
        switch code {
        case "auth.missing", "auth.bad_signature", "auth.stale", "auth.malformed", "auth.replayed": .unauthorized
        case "auth.not_owner", "auth.bad_ticket", "allocation.not_a_blobber": .forbidden
        case "allocation.unknown", "upload.unknown", "commit.not_found", "read.not_found": .notFound
        case "upload.too_large", "request.too_large": .contentTooLarge
        case "allocation.expired": .gone
        case "storage.io", "storage.corrupt", "internal": .internalServerError
        case "ledger.unreachable": .serviceUnavailable
        case _ where code.hasPrefix("marker."), "rollback.nothing_to_undo", "upload.offset_mismatch", "upload.busy",
            "upload.incomplete", "allocation.capacity_exceeded":
            .conflict
        default: .badRequest
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context),
            .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
