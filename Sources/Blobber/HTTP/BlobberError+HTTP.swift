import Foundation
public import Hummingbird
import NIOCore
public import StorageProtocol

/// The one place where errors become HTTP answers: each error type knows its status (the table in
/// docs/PROTOCOL.md section 9) and answers `{"code": ..., "message": ...}`.
public protocol CodedHTTPResponseError: HTTPResponseError, CodedError {}

extension CodedHTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        ErrorAnswer.response(code: code, message: description, status: status)
    }
}

extension BlobberError: CodedHTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .unknownAllocation, .unknownUpload, .notFound, .readNotFound: .notFound
        case .notABlobber: .forbidden
        case .expiredAllocation: .gone
        case .capacityExceeded, .offsetMismatch, .incompleteUpload, .uploadBusy, .nothingToUndo: .conflict
        case .uploadTooLarge, .bodyTooLarge: .contentTooLarge
        case .ledgerUnreachable, .registrationRefused: .serviceUnavailable
        case .badUploadID, .badLength, .uploadMismatch, .renameMismatch, .duplicatePath, .noChanges, .badRange,
            .malformed, .badShareKey:
            .badRequest
        }
    }
}

extension StorageError: CodedHTTPResponseError {
    public var status: HTTPResponse.Status { .internalServerError }
}

extension RequestAuthError: CodedHTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .missing, .malformed, .stale, .badSignature, .replayed: .unauthorized
        case .notOwner, .badTicket: .forbidden
        case .bodyDigestMismatch, .bodyNotSigned: .badRequest
        }
    }
}

extension MarkerError: CodedHTTPResponseError {
    /// A marker that does not fit the chain conflicts with the blobber's state.
    public var status: HTTPResponse.Status { .conflict }
}

extension PathError: CodedHTTPResponseError {
    public var status: HTTPResponse.Status { .badRequest }
}

/// An answer for an error that is not one of the blobber's own (Hummingbird's refusals, JSON decoding,
/// another module's coded error), with the documented code it gets.
struct ErrorAnswer: HTTPResponseError {
    var code: String
    var message: String
    var status: HTTPResponse.Status

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Self.response(code: code, message: message, status: status)
    }

    /// `{"code": ..., "message": ...}` with `status`, counted in `blobber_errors_total{code}`.
    static func response(code: String, message: String, status: HTTPResponse.Status) -> Response {
        BlobberMetrics.refused(code: code)
        let data = (try? JSONEncoder().encode(ErrorBody(code: code, message: message))) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
