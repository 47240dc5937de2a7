import Hummingbird
import Merkle
import StorageProtocol

/// `GET /v1/blocks/latest`, `GET /v1/blocks/{height}`, `GET /v1/blocks/{height}/transactions`.
struct BlockController<Context: RequestContext>: Sendable {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("latest") { _, _ in JSONResponse.make(try await ledger.latestBlock()) }
        group.get(":height") { _, context in
            JSONResponse.make(try await ledger.block(height: try context.parameters.heightParameter()))
        }
        group.get(":height/transactions") { _, context in
            JSONResponse.make(try await ledger.transactions(inBlock: try context.parameters.heightParameter()))
        }
    }
}

/// `GET /v1/ledger`: the ledger's public key, genesis rules and height.
struct InfoController<Context: RequestContext>: Sendable {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<Context>) {
        group.get { _, _ in JSONResponse.make(try await ledger.info()) }
    }
}

extension Parameters {
    /// A block height (a `UInt64`; heights past the latest block are `ledger.unknown_block`).
    func heightParameter() throws -> UInt64 {
        guard let text = self.get("height"), let height = UInt64(text) else {
            throw LedgerError.transaction(.malformed(reason: "height must be an unsigned integer"))
        }
        return height
    }
}

/// `GET /v1/blobbers`, `GET /v1/blobbers/{id}`.
struct BlobberController<Context: RequestContext>: Sendable {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<Context>) {
        group.get { _, _ in JSONResponse.make(try await ledger.blobbers()) }
        group.get(":id") { _, context in
            JSONResponse.make(try await ledger.blobber(BlobberID(try context.parameters.hashParameter("id"))))
        }
    }
}

/// `GET /v1/accounts/{id}`.
struct AccountController<Context: RequestContext>: Sendable {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<Context>) {
        group.get(":id") { _, context in
            JSONResponse.make(try await ledger.account(try context.parameters.hashParameter("id")))
        }
    }
}

/// `GET /v1/allocations?owner=ID&after=ID&limit=N` (paged, id order), `GET /v1/allocations/{id}`,
/// `GET /v1/allocations/{id}/revocations`.
struct AllocationController<Context: RequestContext>: Sendable {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<Context>) {
        group.get { request, _ in
            let query = request.uri.queryParameters
            func id<Kind>(_ name: String, _: Kind.Type) throws -> Identifier<Kind>? {
                guard let text = query.get(name) else { return nil }
                guard let id = Identifier<Kind>(hex: text), text.utf8.count == 64 else {
                    throw LedgerError.transaction(.malformed(reason: "\(name) must be 64 hex digits"))
                }
                return id
            }
            var limit = AllocationPage.defaultLimit
            if let text = query.get("limit") {
                guard text.utf8.count <= 4, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text),
                    (1...AllocationPage.maxLimit).contains(value)
                else {
                    throw LedgerError.transaction(
                        .malformed(reason: "limit must be 1...\(AllocationPage.maxLimit)"))
                }
                limit = value
            }
            return JSONResponse.make(
                try await ledger.allocations(
                    owner: try id("owner", ClientKind.self), after: try id("after", AllocationKind.self), limit: limit))
        }
        group.get(":id") { _, context in
            JSONResponse.make(try await ledger.allocation(AllocationID(try context.parameters.hashParameter("id"))))
        }
        group.get(":id/revocations") { _, context in
            JSONResponse.make(
                try await ledger.revokedTickets(of: AllocationID(try context.parameters.hashParameter("id"))))
        }
    }
}

/// `GET /v1/challenges?blobber=ID&status=open`.
struct ChallengeController<Context: RequestContext>: Sendable {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<Context>) {
        group.get { request, _ in
            var blobber: BlobberID? = nil
            if let text = request.uri.queryParameters.get("blobber") {
                guard let id = BlobberID(hex: text) else {
                    throw LedgerError.transaction(.malformed(reason: "blobber must be 64 hex digits"))
                }
                blobber = id
            }
            var status: ChallengeRecord.Status? = nil
            if let text = request.uri.queryParameters.get("status") {
                guard let value = ChallengeRecord.Status(rawValue: text) else {
                    throw LedgerError.transaction(.malformed(reason: "status must be open, passed, failed or timeout"))
                }
                status = value
            }
            return JSONResponse.make(try await ledger.challenges(blobber: blobber, status: status))
        }
    }
}
