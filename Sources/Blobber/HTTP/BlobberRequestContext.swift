public import Hummingbird
import Logging
import Merkle
import StorageProtocol

/// Per-request context: what Hummingbird needs, the JSON body limit, and, on the allocation routes,
/// the verified request and its allocation (filled by `AllocationAuthenticator`).
public struct BlobberRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var maxUploadSize: Int
    /// Set by `AllocationAuthenticator` once the request is verified and allowed on the allocation.
    var grant: AllocationGrant?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        maxUploadSize = 64 << 20
        grant = nil
    }

    /// The grant `AllocationAuthenticator` put here; a route without the middleware is a programming error.
    func requireGrant() throws -> AllocationGrant {
        guard let grant else {
            throw ErrorAnswer(code: "internal", message: "a route without authentication", status: .internalServerError)
        }
        return grant
    }
}

/// A request verified for this blobber (signature, time, replay) and allowed on its allocation.
struct AllocationGrant: Sendable {
    var auth: RequestAuth
    var store: AllocationStore
    /// The hash of the share ticket a reader's request was allowed by; nil for the owner.
    var ticketHash: Hash? = nil
}
