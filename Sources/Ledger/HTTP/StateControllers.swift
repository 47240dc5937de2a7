import Hummingbird
import Merkle
import StorageProtocol

/// `GET /v1/blocks/latest`, `GET /v1/blocks/{height}`.
struct BlockController<Context: RequestContext>: Sendable {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("latest") { _, _ in JSONResponse.make(try await ledger.latestBlock()) }
        group.get(":height") { _, context in
            guard let text = context.parameters.get("height"), let height = UInt64(text) else {
                throw LedgerError.transaction(.malformed(reason: "height must be an unsigned integer"))
            }
            return JSONResponse.make(try await ledger.block(height: height))
        }
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

/// `GET /v1/allocations/{id}`.
struct AllocationController<Context: RequestContext>: Sendable {
    let ledger: Ledger

    func addRoutes(to group: RouterGroup<Context>) {
        group.get(":id") { _, context in
            JSONResponse.make(try await ledger.allocation(AllocationID(try context.parameters.hashParameter("id"))))
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
