/// Why a transaction envelope was refused before its payload was looked at. Codes are stable
/// and listed in docs/PROTOCOL.md section 7.
public enum TransactionError: CodedError, Equatable {
    case malformed(reason: String)
    case missingSignature
    case badSignature
    case staleTimestamp(timestamp: Int64, now: Int64, window: Int64)

    public var code: String {
        switch self {
        case .malformed: "tx.malformed"
        case .missingSignature: "tx.missing_signature"
        case .badSignature: "tx.bad_signature"
        case .staleTimestamp: "tx.stale_timestamp"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed transaction: \(reason)"
        case .missingSignature: "the transaction is not signed"
        case .badSignature: "the transaction's signature does not verify against its public key"
        case .staleTimestamp(let timestamp, let now, let window):
            "transaction time \(timestamp) is more than \(window) ms away from the ledger's clock \(now)"
        }
    }
}
