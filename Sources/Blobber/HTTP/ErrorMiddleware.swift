import Foundation
import Hummingbird
import Logging
import StorageProtocol

/// Logs refusals and gives the errors that are not the blobber's own (Hummingbird's refusals, JSON
/// decoding, another module's coded error, anything unexpected) the documented code they answer with.
/// The blobber's own errors answer for themselves (`BlobberError+HTTP.swift`).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any CodedError {
            context.logger.debug(
                "request refused", metadata: ["error.code": "\(error.code)", "error.message": "\(error.description)"])
            if error is any HTTPResponseError { throw error }
            throw ErrorAnswer(code: error.code, message: error.description, status: .badRequest)
        } catch let error as StorageError {
            context.logger.error("storage failure", metadata: ["error.message": "\(error.description)"])
            throw error
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
            throw ErrorAnswer(code: code, message: error.body ?? error.status.reasonPhrase, status: error.status)
        } catch let error as DecodingError {
            throw ErrorAnswer(
                code: "request.malformed", message: "malformed JSON: \(Self.describe(error))", status: .badRequest)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            context.logger.error("unexpected error", metadata: ["error.message": "\(error)"])
            throw ErrorAnswer(code: "internal", message: "internal error: \(error)", status: .internalServerError)
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
