public import Merkle

/// What a ledger transaction does. The raw value is the `kind` field on the wire.
public enum TransactionKind: String, Sendable, Codable, CaseIterable {
    case faucet
    case registerBlobber = "register_blobber"
    case updateBlobber = "update_blobber"
    case createAllocation = "create_allocation"
    case submitChain = "submit_chain"
    case challengeResponse = "challenge_response"
    case finalizeAllocation = "finalize_allocation"
    case updateAllocation = "update_allocation"
    case cancelAllocation = "cancel_allocation"
    case revokeTicket = "revoke_ticket"
    /// Records the SHA-256 and the URI of a piece of data, signed by whoever pegs it.
    case peg
    /// System transactions, signed by the ledger's own key.
    case issueChallenge = "issue_challenge"
    case challengeTimeout = "challenge_timeout"

    /// True for the kinds only the ledger itself may sign.
    public var isSystem: Bool { self == .issueChallenge || self == .challengeTimeout }
}

/// A signed ledger transaction, as submitted to `POST /v1/transactions`:
///
/// ```json
/// {"kind":"register_blobber","public_key":"<hex32>","nonce":7,"timestamp":1700000000000,
///  "payload":"{\"url\":...}","signature":"<hex64>"}
/// ```
///
/// The payload is carried as a string holding JSON text, so the signature covers its exact bytes
/// and nobody needs canonical JSON. The sender is `SHA-256(public_key)`.
public struct LedgerTransaction: Hashable, Sendable, Codable {
    public var kind: TransactionKind
    public var publicKey: PublicKey
    /// Free for the sender to choose; two otherwise identical transactions differ by their nonce.
    public var nonce: UInt64
    /// Unix milliseconds when the sender signed; must be within the ledger's window of its clock.
    public var timestamp: Int64
    /// UTF-8 JSON text of the kind's payload.
    public var payload: String
    public var signature: Signature?

    /// The one-byte tag that starts a transaction's canonical encoding.
    public static let hashTag: UInt8 = 0x30

    public init(
        kind: TransactionKind, publicKey: PublicKey, nonce: UInt64, timestamp: Int64, payload: String,
        signature: Signature? = nil
    ) {
        self.kind = kind
        self.publicKey = publicKey
        self.nonce = nonce
        self.timestamp = timestamp
        self.payload = payload
        self.signature = signature
    }

    enum CodingKeys: String, CodingKey {
        case kind
        case publicKey = "public_key"
        case nonce, timestamp, payload, signature
    }

    /// The sender's identity: SHA-256 of the public key.
    public var sender: Hash { publicKey.id }

    /// `0x30 ‖ u32be(len kind) ‖ kind ‖ public_key(32) ‖ u64be(nonce) ‖ i64be(timestamp) ‖
    /// u32be(len payload) ‖ payload`, with `kind` and `payload` as UTF-8 bytes.
    public var canonicalBytes: [UInt8] {
        let kindBytes = Array(kind.rawValue.utf8)
        let payloadBytes = Array(payload.utf8)
        var out = [UInt8]()
        out.reserveCapacity(1 + 4 + kindBytes.count + 32 + 8 + 8 + 4 + payloadBytes.count)
        out.append(LedgerTransaction.hashTag)
        out.appendBigEndian(UInt32(kindBytes.count))
        out += kindBytes
        out += publicKey.bytes
        out.appendBigEndian(nonce)
        out.appendBigEndian(UInt64(bitPattern: timestamp))
        out.appendBigEndian(UInt32(payloadBytes.count))
        out += payloadBytes
        return out
    }

    /// SHA-256 of the canonical encoding: the transaction's identity in the log, and what is signed.
    public var hash: Hash {
        var hasher = SHA256()
        hasher.update(byte: LedgerTransaction.hashTag)
        var kindText = kind.rawValue
        kindText.withUTF8 { bytes in
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { hasher.update($0) }
            hasher.update(UnsafeRawBufferPointer(bytes))
        }
        hasher.update(publicKey.bytes)
        hasher.update(uint64: nonce)
        hasher.update(int64: timestamp)
        var payloadText = payload
        payloadText.withUTF8 { bytes in
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { hasher.update($0) }
            hasher.update(UnsafeRawBufferPointer(bytes))
        }
        return hasher.finalize()
    }

    /// Signs with `key`, which becomes the transaction's public key.
    public mutating func sign(with key: SigningKey) {
        publicKey = key.publicKey
        signature = key.signature(over: hash)
    }

    public func signed(with key: SigningKey) -> LedgerTransaction {
        var copy = self
        copy.sign(with: key)
        return copy
    }

    /// Checks the Ed25519 signature over `hash` by `publicKey`.
    public func verifySignature() throws(TransactionError) {
        guard let signature else { throw .missingSignature }
        guard publicKey.isValidSignature(signature, over: hash) else { throw .badSignature }
    }

    /// Builds and signs a transaction whose payload is `payload` encoded as JSON.
    public static func make(
        _ kind: TransactionKind, payload: some Encodable, key: SigningKey, nonce: UInt64, timestamp: Int64
    ) -> LedgerTransaction {
        LedgerTransaction(
            kind: kind, publicKey: key.publicKey, nonce: nonce, timestamp: timestamp,
            payload: TransactionCoding.encodeText(payload)
        ).signed(with: key)
    }

    /// Decodes the payload JSON as `type`.
    public func decodePayload<P: Decodable>(as type: P.Type) throws(TransactionError) -> P {
        try TransactionCoding.decode(type, from: Array(payload.utf8), what: "\(kind.rawValue) payload")
    }
}
