import Hummingbird
import Logging

/// Per-request context. Authentication happens in the handlers that need it (they need the
/// allocation's owner to judge it), so the context only carries what Hummingbird needs and the
/// JSON body limit.
struct BlobberRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var maxUploadSize: Int

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        maxUploadSize = 64 << 20
    }
}
