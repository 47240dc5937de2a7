import LedgerAPI
import StorageProtocol

extension BlobberError {
    /// A ledger question without an answer, as the blobber reports it (`ledger.unreachable`): the
    /// request and the transport's error, the status of an answer that is not an error body, or the
    /// ledger's refusal where an answer was needed.
    init(ledger error: LedgerAccessError) {
        switch error {
        case .unreachable(let request, let reason): self = .ledgerUnreachable("\(request): \(reason)")
        case .undecodable(_, let reason): self = .ledgerUnreachable("undecodable answer: \(reason)")
        case .badStatus(let status, let body): self = .ledgerUnreachable("status \(status): \(body)")
        case .refused(_, let body): self = .ledgerUnreachable("\(body.code): \(body.message)")
        }
    }
}

/// Runs one ledger question, its errors as `BlobberError.ledgerUnreachable`.
func askLedger<T>(_ question: () async throws(LedgerAccessError) -> T) async throws(BlobberError) -> T {
    do throws(LedgerAccessError) {
        return try await question()
    } catch {
        throw BlobberError(ledger: error)
    }
}
