import Hummingbird
import StorageProtocol

/// Hummingbird's own refusals (no such route, a method the route lacks, a body it would not take) answered
/// like every other ledger error, `{"code", "message"}` with a code docs/PROTOCOL.md section 7.8 lists,
/// instead of an empty body.
struct RouteErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let code =
                switch error.status {
                case .notFound: "request.not_found"
                case .methodNotAllowed: "request.method_not_allowed"
                case .contentTooLarge: "ledger.body_too_large"
                case _ where error.status.code >= 500: "ledger.storage"
                default: "tx.malformed"
                }
            return JSONResponse.make(
                ErrorBody(code: code, message: error.body ?? error.status.reasonPhrase), status: error.status)
        }
    }
}
