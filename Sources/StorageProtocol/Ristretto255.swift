import CSodium
import Merkle

/// A point of the ristretto255 group (RFC 9496), 32 bytes in its canonical encoding. Only valid
/// encodings of points other than the identity are ever built, so hostile input is refused when it is
/// parsed, not when it is used.
public struct RistrettoPoint: Hashable, Sendable {
    public static let byteCount = 32
    public let bytes: [UInt8]

    /// The point `bytes` encode; nil unless they are a canonical encoding of a non-identity point.
    public init?(bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count == Self.byteCount else { return nil }
        _ = Sodium.ready
        // libsodium accepts the identity's encoding (all zeros); a key or capsule must not be it.
        guard bytes.contains(where: { $0 != 0 }), crypto_core_ristretto255_is_valid_point(bytes) == 1 else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    public var hex: String { Hex.encode(bytes) }

    /// `s · self`; nil only when the product is the identity (never for a point and scalar built here,
    /// the group having prime order).
    public func times(_ scalar: RistrettoScalar) -> RistrettoPoint? {
        var out = [UInt8](repeating: 0, count: Self.byteCount)
        guard crypto_scalarmult_ristretto255(&out, scalar.bytes, bytes) == 0 else { return nil }
        return RistrettoPoint(bytes: out)
    }
}

/// A scalar modulo the group order `L = 2^252 + 27742317777372353535851937790883648493`, 32 bytes
/// little-endian. Only canonical (`< L`), non-zero scalars are ever built.
public struct RistrettoScalar: Sendable {
    public static let byteCount = 32
    public let bytes: [UInt8]

    /// The scalar `bytes` encode; nil unless they are canonical (`< L`) and not zero.
    public init?(canonical bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count == Self.byteCount else { return nil }
        _ = Sodium.ready
        // A scalar is canonical when reducing it changes nothing.
        var reduced = [UInt8](repeating: 0, count: Self.byteCount)
        crypto_core_ristretto255_scalar_reduce(&reduced, bytes + [UInt8](repeating: 0, count: 32))
        guard reduced == bytes, bytes.contains(where: { $0 != 0 }) else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(canonical: bytes)
    }

    /// `wide mod L` of 64 bytes read little-endian; nil for zero (probability 2^-252 for a hash).
    public static func reduced(_ wide: [UInt8]) -> RistrettoScalar? {
        precondition(wide.count == 64, "a wide scalar is 64 bytes")
        _ = Sodium.ready
        var out = [UInt8](repeating: 0, count: byteCount)
        crypto_core_ristretto255_scalar_reduce(&out, wide)
        return RistrettoScalar(canonical: out)
    }

    /// The scalar `H(tag ‖ data ‖ u32be(0)) ‖ H(tag ‖ data ‖ u32be(1))` reduces to (docs/PROTOCOL.md
    /// section 10.12): the way every scalar of the sharing scheme is derived from bytes.
    public static func derived(tag: UInt8, _ data: [UInt8]) -> RistrettoScalar {
        let wide = (0..<2).flatMap { (counter: UInt32) -> [UInt8] in
            var hasher = SHA256()
            hasher.update(byte: tag)
            hasher.update(data)
            withUnsafeBytes(of: counter.bigEndian) { hasher.update($0) }
            return hasher.finalize().bytes
        }
        // A hash that reduces to zero is not going to be met; if it were, every party would fail alike.
        return reduced(wide)!
    }

    /// A fresh random non-zero scalar.
    public static func random() -> RistrettoScalar {
        _ = Sodium.ready
        while true {
            var out = [UInt8](repeating: 0, count: byteCount)
            crypto_core_ristretto255_scalar_random(&out)
            if let scalar = RistrettoScalar(canonical: out) { return scalar }
        }
    }

    public var hex: String { Hex.encode(bytes) }

    /// `self · G`.
    public var point: RistrettoPoint {
        var out = [UInt8](repeating: 0, count: RistrettoPoint.byteCount)
        precondition(crypto_scalarmult_ristretto255_base(&out, bytes) == 0, "a non-zero scalar")
        return RistrettoPoint(bytes: out)!
    }

    /// `self⁻¹ mod L` (never zero: zero is never built).
    public var inverse: RistrettoScalar {
        var out = [UInt8](repeating: 0, count: Self.byteCount)
        precondition(crypto_core_ristretto255_scalar_invert(&out, bytes) == 0, "a non-zero scalar")
        return RistrettoScalar(canonical: out)!
    }

    /// `a · b mod L` (never zero: L is prime).
    public static func * (a: RistrettoScalar, b: RistrettoScalar) -> RistrettoScalar {
        var out = [UInt8](repeating: 0, count: byteCount)
        crypto_core_ristretto255_scalar_mul(&out, a.bytes, b.bytes)
        return RistrettoScalar(canonical: out)!
    }
}
