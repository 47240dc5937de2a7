import Hummingbird

/// Test networks only: holds every answer back by a fixed delay, so that latency-ranked reads and
/// hedging have a slow blobber to act on. Off unless `fault_delay_ms` is set.
struct FaultDelayMiddleware<Context: RequestContext>: RouterMiddleware {
    let delay: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        try await Task.sleep(for: delay)
        return try await next(request, context)
    }
}
