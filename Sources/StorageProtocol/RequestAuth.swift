public import Merkle

/// A request signed by a client's key, carried in HTTP headers:
///
/// | header | value |
/// | --- | --- |
/// | `x-blob-key` | hex Ed25519 public key of the signer |
/// | `x-blob-time` | Unix milliseconds when the request was signed |
/// | `x-blob-nonce` | 16 lowercase hex digits, random per request |
/// | `x-blob-body-sha256` | hex SHA-256 of the body, or `UNSIGNED-PAYLOAD` for streamed shard uploads |
/// | `x-blob-signature` | hex Ed25519 signature over `RequestAuth.hash` |
///
/// A streamed shard's bytes cannot be hashed before they are sent, so uploads sign
/// `UNSIGNED-PAYLOAD`; the shard root the blobber computes is what the owner later signs in the
/// write marker, so a tampered upload can never be committed.
///
/// The nonce makes every signed request unique, so two identical requests signed in the same
/// millisecond (two processes reading the same file, a quick retry) are not taken for a replay.
///
/// The hash covers the id of the blobber the request is meant for (the audience), so a request
/// signed for one blobber is refused by every other: a blobber cannot replay the owner's upload to
/// another blobber with its own bytes. The allocation is bound through the signed target path.
public struct RequestAuth: Sendable, Hashable {
    public var publicKey: PublicKey
    public var timestamp: Int64
    public var nonce: UInt64
    /// Hex SHA-256 of the body, or `unsignedPayload`.
    public var bodyDigest: String
    public var signature: Signature

    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let hashTag: UInt8 = 0x50

    public enum Header {
        public static let key = "x-blob-key"
        public static let time = "x-blob-time"
        public static let nonce = "x-blob-nonce"
        public static let bodyDigest = "x-blob-body-sha256"
        public static let signature = "x-blob-signature"
    }

    /// `H(0x50 ‖ blobber id (32 bytes) ‖ u32be(len method) ‖ method ‖ u32be(len target) ‖ target ‖ u32be(len digest)
    /// ‖ digest ‖ i64be(time) ‖ u64be(nonce))` where `blobber` is the audience (the blobber the request is sent to),
    /// `target` the request path with its query string exactly as sent, and `digest` the body-digest header's text.
    public static func hash(
        blobber: BlobberID, method: String, target: String, bodyDigest: String, timestamp: Int64, nonce: UInt64
    ) -> Hash {
        var hasher = SHA256()
        hasher.update(byte: hashTag)
        hasher.update(hash: blobber.hash)
        for field in [method, target, bodyDigest] {
            let bytes = Array(field.utf8)
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { hasher.update($0) }
            hasher.update(bytes)
        }
        hasher.update(int64: timestamp)
        withUnsafeBytes(of: nonce.bigEndian) { hasher.update($0) }
        return hasher.finalize()
    }

    /// Signs a request for the blobber `blobber`. `body` nil means a streamed upload (`UNSIGNED-PAYLOAD`).
    public static func sign(
        for blobber: BlobberID, method: String, target: String, body: [UInt8]?, timestamp: Int64,
        nonce: UInt64 = .random(in: 0...UInt64.max), key: SigningKey
    ) -> RequestAuth {
        let digest = body.map { SHA256.hash($0).hex } ?? unsignedPayload
        let hash = hash(
            blobber: blobber, method: method, target: target, bodyDigest: digest, timestamp: timestamp, nonce: nonce)
        return RequestAuth(
            publicKey: key.publicKey, timestamp: timestamp, nonce: nonce, bodyDigest: digest,
            signature: key.signature(over: hash))
    }

    public init(publicKey: PublicKey, timestamp: Int64, nonce: UInt64, bodyDigest: String, signature: Signature) {
        self.publicKey = publicKey
        self.timestamp = timestamp
        self.nonce = nonce
        self.bodyDigest = bodyDigest
        self.signature = signature
    }

    /// Parses the five headers; `header(name)` returns a header's value.
    public init(header: (String) -> String?) throws(RequestAuthError) {
        guard let keyText = header(Header.key), let timeText = header(Header.time),
            let nonceText = header(Header.nonce), let digest = header(Header.bodyDigest),
            let signatureText = header(Header.signature)
        else { throw .missing }
        guard let key = try? PublicKey(hex: keyText) else { throw .malformed(header: Header.key) }
        guard let time = Int64(timeText) else { throw .malformed(header: Header.time) }
        guard nonceText.utf8.count == 16, let nonceBytes = Hex.decode(nonceText) else {
            throw .malformed(header: Header.nonce)
        }
        let nonce = nonceBytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard let signature = try? Signature(hex: signatureText) else { throw .malformed(header: Header.signature) }
        guard digest == RequestAuth.unsignedPayload || Hash(hex: digest) != nil else {
            throw .malformed(header: Header.bodyDigest)
        }
        // The digest header is signed as sent: lowercasing UNSIGNED-PAYLOAD would break every upload's signature.
        let normalized = digest == RequestAuth.unsignedPayload ? digest : digest.lowercased()
        self.init(publicKey: key, timestamp: time, nonce: nonce, bodyDigest: normalized, signature: signature)
    }

    /// The nonce as its header carries it: 16 lowercase hex digits.
    public static func nonceText(_ nonce: UInt64) -> String {
        let digits = String(nonce, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The headers to send.
    public var headers: [(String, String)] {
        [
            (Header.key, publicKey.hex), (Header.time, String(timestamp)), (Header.nonce, Self.nonceText(nonce)),
            (Header.bodyDigest, bodyDigest), (Header.signature, signature.hex),
        ]
    }

    /// Checks that `timestamp` is within `window` milliseconds of `now` and that the signature covers this
    /// request sent to blobber `blobber` (`audience`). The caller checks the body against `bodyDigest` (when
    /// signed) and refuses replays (`ReplayGuard`).
    public func verify(
        audience blobber: BlobberID, method: String, target: String, now: Int64, window: Int64
    ) throws(RequestAuthError) {
        guard timestamp.isWithin(window, of: now) else { throw .stale(timestamp: timestamp, now: now, window: window) }
        let hash = RequestAuth.hash(
            blobber: blobber, method: method, target: target, bodyDigest: bodyDigest, timestamp: timestamp,
            nonce: nonce)
        guard publicKey.isValidSignature(signature, over: hash) else { throw .badSignature }
    }

    /// Checks a fully received body against the signed digest.
    public func verifyBody(_ body: some ContiguousBytes) throws(RequestAuthError) {
        guard bodyDigest != RequestAuth.unsignedPayload else { throw .bodyNotSigned }
        guard SHA256.hash(body).hex == bodyDigest else { throw .bodyDigestMismatch }
    }
}

public enum RequestAuthError: CodedError, Equatable {
    case missing
    case malformed(header: String)
    case stale(timestamp: Int64, now: Int64, window: Int64)
    case badSignature
    case bodyDigestMismatch
    case bodyNotSigned
    case replayed
    case notOwner
    case badTicket(reason: String)

    public var code: String {
        switch self {
        case .missing: "auth.missing"
        case .malformed: "auth.malformed"
        case .stale: "auth.stale"
        case .badSignature: "auth.bad_signature"
        case .bodyDigestMismatch: "auth.body_digest_mismatch"
        case .bodyNotSigned: "auth.body_not_signed"
        case .replayed: "auth.replayed"
        case .notOwner: "auth.not_owner"
        case .badTicket: "auth.bad_ticket"
        }
    }

    public var description: String {
        switch self {
        case .missing:
            "the request is not signed: send x-blob-key, x-blob-time, x-blob-nonce, x-blob-body-sha256 and x-blob-signature"
        case .malformed(let header): "the \(header) header is malformed"
        case .stale(let timestamp, let now, let window):
            "the request was signed at \(timestamp), more than \(window) ms from the server's clock (\(now)); check the clock"
        case .badSignature: "the request signature does not verify"
        case .bodyDigestMismatch: "the body does not match the signed x-blob-body-sha256"
        case .bodyNotSigned: "this request's body must be signed (UNSIGNED-PAYLOAD is only for shard uploads)"
        case .replayed: "this signed request was already used; sign each request anew"
        case .notOwner: "only the allocation owner may do this"
        case .badTicket(let reason): "the share ticket is not valid: \(reason)"
        }
    }
}
