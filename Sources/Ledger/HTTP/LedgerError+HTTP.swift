import Foundation
public import Hummingbird
import StorageProtocol

/// The one place where ledger errors become HTTP responses: `{"code": ..., "message": ...}`
/// (plus `marker_index` for a refused marker).
extension LedgerError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch category {
        case .malformed: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .tooLarge: .contentTooLarge
        case .refused: .unprocessableContent
        case .internalError: .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = LedgerErrorBody(code: code, message: description, markerIndex: markerIndex)
        return JSONResponse.make(body, status: status)
    }
}

enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let bytes = TransactionCoding.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
