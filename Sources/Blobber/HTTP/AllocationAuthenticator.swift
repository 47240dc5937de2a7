import Foundation
import Hummingbird
import Merkle
import StorageProtocol

private let emptyBodyDigest = SHA256.hash([UInt8]()).hex

/// Authenticates a request on `/v1/allocations/{a}/…` (docs/PROTOCOL.md section 8, "Authentication") and
/// puts the verified request with its allocation's store into the context. In this order: the read path
/// (routes that take one) and the allocation id are parsed; the signature, time and replay are checked
/// before anything about the allocation is looked up (no ledger question, no disk work for a forgery);
/// then the allocation is opened and the signer must be its owner or hold a ticket for the read path.
/// A JSON body's digest is checked by the route once it has read the body.
struct AllocationAuthenticator: RouterMiddleware {
    typealias Context = BlobberRequestContext

    /// What the route's body is, which decides what the signed body digest may be.
    enum Body {
        /// No body: the digest of the empty body, or `UNSIGNED-PAYLOAD`.
        case none
        /// A JSON body: must be signed; the route checks the digest after reading it.
        case json
        /// A streamed shard: anything (`UNSIGNED-PAYLOAD` in practice).
        case streamed
    }

    let node: BlobberNode
    let body: Body
    /// The path a share ticket must cover, for routes a ticket holder may use.
    let readPath: (@Sendable (Request) throws -> String)?

    init(node: BlobberNode, body: Body, readPath: (@Sendable (Request) throws -> String)? = nil) {
        self.node = node
        self.body = body
        self.readPath = readPath
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let readPath = try self.readPath?(request)
        guard let text = context.parameters.get(BlobberRoute.Parameter.allocation), let id = AllocationID(hex: text),
            text.count == 64
        else {
            throw BlobberError.malformed("the allocation id must be 64 hex digits")
        }
        let auth = try request.signedRequest
        switch body {
        case .json:
            guard auth.bodyDigest != RequestAuth.unsignedPayload else { throw RequestAuthError.bodyNotSigned }
        case .none:
            guard auth.bodyDigest == RequestAuth.unsignedPayload || auth.bodyDigest == emptyBodyDigest else {
                throw RequestAuthError.bodyDigestMismatch
            }
        case .streamed:
            break
        }
        try node.authenticate(auth, method: request.method.rawValue, target: request.uri.string)
        let store = try await node.servingStore(for: id)
        let ticketHash = try node.authorize(
            auth, info: store.info, readPath: readPath, ticket: request.header(BlobberHeader.ticket))
        if let ticketHash { try await node.checkNotRevoked(ticketHash, allocation: id) }
        var context = context
        context.grant = AllocationGrant(auth: auth, store: store, ticketHash: ticketHash)
        return try await next(request, context)
    }
}
