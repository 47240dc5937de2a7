import Foundation
import Logging
import Hummingbird
import Merkle
import Metrics
import StorageProtocol

/// `POST /v1/transactions`, `GET /v1/transactions/{hash}`.
struct TransactionController<Context: RequestContext>: Sendable {
    let ledger: Ledger
    let maxBodyBytes: Int

    func addRoutes(to group: RouterGroup<Context>) {
        group.post(use: submit)
        group.get(":hash", use: show)
    }

    @Sendable func submit(_ request: Request, context: Context) async throws -> Response {
        let body = try await collect(request.body, limit: maxBodyBytes)
        let tx: LedgerTransaction
        do {
            tx = try JSONDecoder().decode(LedgerTransaction.self, from: Data(body))
        } catch let error as DecodingError {
            throw LedgerError.transaction(.malformed(reason: "transaction: \(error)"))
        }
        do {
            let receipt = try await ledger.submit(tx)
            Counter(label: "ledger_transactions_total", dimensions: [("kind", tx.kind.rawValue), ("status", receipt.status.rawValue)])
                .increment()
            context.logger.debug(
                "applied",
                metadata: [
                    "tx.kind": "\(tx.kind.rawValue)", "tx.hash": "\(receipt.hash.hex)", "tx.status": "\(receipt.status.rawValue)",
                    "block": "\(receipt.block)",
                ])
            return JSONResponse.make(receipt)
        } catch {
            Counter(label: "ledger_refusals_total", dimensions: [("code", error.code)]).increment()
            context.logger.info(
                "refused",
                metadata: [
                    "tx.kind": "\(tx.kind.rawValue)", "tx.hash": "\(tx.hash.hex)", "error.code": "\(error.code)",
                    "error.message": "\(error.description)",
                ])
            throw error
        }
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        let hash = try context.parameters.hashParameter("hash")
        return JSONResponse.make(try await ledger.transaction(hash))
    }

    /// Collects the body while counting bytes, refusing past `limit` before holding more than that. A body
    /// that ends before its declared length (the connection closed) is malformed, not an internal error.
    private func collect(_ body: RequestBody, limit: Int) async throws -> [UInt8] {
        var bytes = [UInt8]()
        do {
            for try await buffer in body {
                guard bytes.count + buffer.readableBytes <= limit else { throw LedgerError.bodyTooLarge(limit: limit) }
                buffer.withUnsafeReadableBytes { bytes.append(contentsOf: $0) }
            }
        } catch let error as LedgerError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw LedgerError.transaction(.malformed(reason: "the body ended before its declared length"))
        }
        return bytes
    }
}

extension Parameters {
    func hashParameter(_ name: String) throws -> Hash {
        guard let text = self.get(name), let hash = Hash(hex: text) else {
            throw LedgerError.transaction(.malformed(reason: "\(name) must be 64 hex digits"))
        }
        return hash
    }
}
