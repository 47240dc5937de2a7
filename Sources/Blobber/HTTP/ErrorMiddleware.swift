import Foundation
import Hummingbird
import Logging
import StorageProtocol

/// Logs refusals and turns every error into its `{code, message}` answer here, so that the metrics
/// middleware outside it times error answers like any other (it records no duration for a thrown error).
/// The errors that are not the blobber's own (Hummingbird's refusals, JSON decoding, another module's
/// coded error, anything unexpected) get the documented code they answer with; the blobber's own errors
/// answer for themselves (`BlobberError+HTTP.swift`).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return try Self.answer(for: error, logger: context.logger).response(from: request, context: context)
        }
    }

    /// The answer `error` gets.
    static func answer(for error: any Error, logger: Logger) -> any HTTPResponseError {
        switch error {
        case let error as StorageError:
            logger.error("storage failure", metadata: ["error.message": "\(error.description)"])
            return error
        case let error as any CodedError:
            logger.debug(
                "request refused", metadata: ["error.code": "\(error.code)", "error.message": "\(error.description)"])
            if let answer = error as? any HTTPResponseError { return answer }
            return ErrorAnswer(code: error.code, message: error.description, status: .badRequest)
        case let error as HTTPError:
            // Hummingbird's own refusals (no such route, a body it would not take) get documented codes too.
            let code =
                switch error.status {
                case .contentTooLarge: "request.too_large"
                case .notFound: "request.not_found"
                case .methodNotAllowed: "request.method_not_allowed"
                case _ where error.status.code >= 500: "internal"
                default: "request.malformed"
                }
            return ErrorAnswer(code: code, message: error.body ?? error.status.reasonPhrase, status: error.status)
        case let error as DecodingError:
            return ErrorAnswer(
                code: "request.malformed", message: "malformed JSON: \(describe(error))", status: .badRequest)
        default:
            logger.error("unexpected error", metadata: ["error.message": "\(error)"])
            return ErrorAnswer(code: "internal", message: "internal error: \(error)", status: .internalServerError)
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
