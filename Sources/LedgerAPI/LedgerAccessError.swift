public import StorageProtocol

/// Why a question to the ledger has no answer. Blobbers and clients map it into their own errors
/// (`ledger.unreachable`, `client.ledger_unreachable`, or the ledger's own code).
public enum LedgerAccessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer: the connection failed or timed out, or the body could not be read. `request` is
    /// the method and path (`GET /v1/blobbers`), `reason` the transport's error.
    case unreachable(request: String, reason: String)
    /// A 200 answer whose body is not the JSON the request expects.
    case undecodable(request: String, reason: String)
    /// An error status without the `{"code", "message"}` body of section 7.8 (a proxy, a wrong URL);
    /// `body` is the answer's text.
    case badStatus(status: Int, body: String)
    /// The ledger refused: the status and its error body (section 7.8).
    case refused(status: Int, LedgerErrorBody)

    /// The code the ledger gave, for a refusal.
    public var refusalCode: String? {
        if case .refused(_, let body) = self { return body.code }
        return nil
    }

    public var description: String {
        switch self {
        case .unreachable(let request, let reason): "\(request): \(reason)"
        case .undecodable(let request, let reason): "\(request): undecodable answer: \(reason)"
        case .badStatus(let status, let body): "status \(status): \(body)"
        case .refused(let status, let body): "\(body.code) (\(status)): \(body.message)"
        }
    }
}

extension LedgerAccessError {
    /// Whether this is the ledger's "not known here" answer with `code`: status 404 and one of the
    /// `ledger.unknown_*` codes of docs/PROTOCOL.md section 7.8. A 404 with another code (a wrong
    /// path: `request.not_found`) is not.
    public func isUnknown(_ code: String) -> Bool {
        guard case .refused(let status, let body) = self else { return false }
        return status == 404 && body.code == code
    }
}
