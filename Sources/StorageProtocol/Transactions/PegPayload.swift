public import Merkle

/// `peg`: the sender records that the data named by `uri` has the SHA-256 `hash` (docs/PROTOCOL.md
/// section 7.2). Anyone may peg; it moves no money. The transaction's hash is the peg's id (`txid`).
public struct PegPayload: Hashable, Sendable, Codable {
    /// SHA-256 of the data's bytes; on the wire exactly 64 lowercase hex digits.
    public var hash: Hash
    /// What the data is: UTF-8, 1...2048 bytes (a gateway writes `blobnet://ALLOCATION/PATH`).
    public var uri: String

    public static let maxURIBytes = 2048

    public init(hash: Hash, uri: String) {
        self.hash = hash
        self.uri = uri
    }

    enum CodingKeys: String, CodingKey { case hash, uri }

    /// Strict: `hash` must be 64 lowercase hex digits (no other spelling of the same bytes), so the
    /// payload a ledger accepts has one form. `uri`'s length is checked by `check()`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let text = try c.decode(String.self, forKey: .hash)
        guard let hash = PegPayload.parseHash(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: .hash, in: c, debugDescription: "hash must be 64 lowercase hex digits")
        }
        self.hash = hash
        uri = try c.decode(String.self, forKey: .uri)
    }

    /// 64 lowercase hex digits as a hash; nil for anything else (uppercase included).
    public static func parseHash(_ text: String) -> Hash? {
        let utf8 = text.utf8
        guard utf8.count == 64,
            utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        return Hash(hex: text)
    }

    /// Why the payload is not a valid peg, or nil: `uri` must be 1...2048 bytes of UTF-8 (a Swift
    /// string always is UTF-8) without NUL.
    public func problem() -> String? {
        let count = uri.utf8.count
        guard count >= 1, count <= Self.maxURIBytes else {
            return "uri must be 1...\(Self.maxURIBytes) bytes, got \(count)"
        }
        guard !uri.utf8.contains(0) else { return "uri must not contain NUL" }
        return nil
    }
}

/// A peg as read back from the ledger (`GET /v1/transactions/{txid}`), its envelope already checked:
/// the transaction's hash is `txid`, its kind is `peg`, its signature verifies by `publicKey`.
public struct PegRecord: Hashable, Sendable, Codable {
    public var txid: Hash
    public var hash: Hash
    public var uri: String
    /// The key that signed the peg; its id (`SHA-256(public_key)`) is the sender.
    public var publicKey: PublicKey
    /// The block the transaction belongs to, and when the ledger applied it (Unix ms).
    public var block: UInt64
    public var appliedAt: Int64
    /// When the sender signed (Unix ms).
    public var timestamp: Int64

    public init(
        txid: Hash, hash: Hash, uri: String, publicKey: PublicKey, block: UInt64, appliedAt: Int64, timestamp: Int64
    ) {
        self.txid = txid
        self.hash = hash
        self.uri = uri
        self.publicKey = publicKey
        self.block = block
        self.appliedAt = appliedAt
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case txid, hash, uri, block, timestamp
        case publicKey = "public_key"
        case appliedAt = "applied_at"
    }
}
