public import Merkle

/// Proxy re-encryption over ristretto255 (docs/PROTOCOL.md section 10.12), Umbral's single-fragment
/// form: a file key is sealed under a capsule `E = r·G` with `K = H(0x64 ‖ E ‖ r·A)`; the owner opens it
/// with `a·E`. For a reader `B = b·G` the owner publishes `X = x·G` and `rk = a · d⁻¹` with
/// `d = H(X ‖ B ‖ x·B)`; a blobber holding `rk` turns `E` into `E' = rk·E`, and the reader recomputes
/// `d` from `b·X` and gets `a·E = d·E'`. The blobber learns neither `a` nor `K`.
public enum ProxyReencryption {
    /// Tag of the share scalar derived from a wallet seed.
    public static let shareScalarTag: UInt8 = 0x63
    /// Tag of the capsule key `K`.
    public static let capsuleKeyTag: UInt8 = 0x64
    /// Tag of the re-encryption factor `d`.
    public static let factorTag: UInt8 = 0x65

    /// A wallet's share scalar: `derived(0x63, seed)`.
    public static func shareScalar(seed: [UInt8]) -> RistrettoScalar {
        RistrettoScalar.derived(tag: shareScalarTag, seed)
    }

    /// `K = H(0x64 ‖ E ‖ S)` where `S = r·A = a·E` is the capsule's shared point.
    public static func capsuleKey(capsule: RistrettoPoint, shared: RistrettoPoint) -> Hash {
        var hasher = SHA256()
        hasher.update(byte: capsuleKeyTag)
        hasher.update(capsule.bytes)
        hasher.update(shared.bytes)
        return hasher.finalize()
    }

    /// `d = derived(0x65, X ‖ B ‖ P)`, `P = x·B = b·X`.
    static func factor(ephemeral: RistrettoPoint, reader: RistrettoPoint, shared: RistrettoPoint) -> RistrettoScalar {
        RistrettoScalar.derived(tag: factorTag, ephemeral.bytes + reader.bytes + shared.bytes)
    }

    /// What the owner registers with a blobber for one ticket: `X` and `rk`.
    public struct ReencryptionKey: Sendable {
        public let ephemeral: RistrettoPoint
        public let key: RistrettoScalar
    }

    /// The re-encryption key from owner scalar `a` to reader key `B`, with ephemeral scalar `x`.
    public static func reencryptionKey(
        owner: RistrettoScalar, reader: RistrettoPoint, ephemeral x: RistrettoScalar = .random()
    ) -> ReencryptionKey {
        let ephemeral = x.point
        // x·B of a valid point and a non-zero scalar is never the identity (prime order).
        let d = factor(ephemeral: ephemeral, reader: reader, shared: reader.times(x)!)
        return ReencryptionKey(ephemeral: ephemeral, key: owner * d.inverse)
    }

    /// What a blobber does: `E' = rk·E`.
    public static func transform(_ capsule: RistrettoPoint, with key: RistrettoScalar) -> RistrettoPoint {
        capsule.times(key)!
    }

    /// What the reader does: `a·E = d·E'` with `d` from `b·X`.
    public static func shared(
        transformed: RistrettoPoint, ephemeral: RistrettoPoint, reader: RistrettoScalar
    ) -> RistrettoPoint {
        let d = factor(ephemeral: ephemeral, reader: reader.point, shared: ephemeral.times(reader)!)
        return transformed.times(d)!
    }
}

extension SigningKey {
    /// This wallet's ristretto255 share scalar, derived from its seed.
    public var shareScalar: RistrettoScalar { ProxyReencryption.shareScalar(seed: seed) }
    /// This wallet's share key `s·G`: what an owner needs to share encrypted files with it.
    public var shareKey: RistrettoPoint { shareScalar.point }
}

/// `GET …/file` with a ticket the owner registered a re-encryption key for: the capsule of the
/// entry's version-2 encryption header, transformed for the ticket's reader (`e` = `E'`), and the
/// owner's ephemeral key `x` = `X`. Both hex.
public struct TransformedCapsule: Sendable, Codable, Hashable {
    public var e: String
    public var x: String

    public init(e: RistrettoPoint, x: RistrettoPoint) {
        self.e = e.hex
        self.x = x.hex
    }
}

/// `POST /v1/allocations/{a}/reencryption-keys` body: the ticket, and the owner's `X` and `rk` for it,
/// hex. Kept as text so that a malformed point or scalar is refused with its own code.
public struct ReencryptionKeyRequest: Sendable, Codable {
    public var ticket: ShareTicket
    public var x: String
    public var rk: String

    public init(ticket: ShareTicket, key: ProxyReencryption.ReencryptionKey) {
        self.ticket = ticket
        self.x = key.ephemeral.hex
        self.rk = key.key.hex
    }
}

/// `POST /v1/allocations/{a}/reencryption-keys` answer.
public struct ReencryptionKeyResponse: Sendable, Codable {
    public var ticketHash: Hash

    public init(ticketHash: Hash) { self.ticketHash = ticketHash }

    enum CodingKeys: String, CodingKey {
        case ticketHash = "ticket_hash"
    }
}
