import Merkle
public import StorageProtocol

/// The file key of an encrypted file, wrapped for the owner and stored in `FileEntry.encryption`
/// (docs/PROTOCOL.md section 10 "Encryption header"):
///
/// ```
/// header   = 0x01 ‖ wrap_nonce(16) ‖ sealed(40) ‖ tag(16)                       73 bytes
/// wrap_key = H(0x60 ‖ owner seed(32))
/// stream   = H(0x61 ‖ wrap_key ‖ wrap_nonce ‖ u32be(0)) ‖ H(0x61 ‖ wrap_key ‖ wrap_nonce ‖ u32be(1))
/// sealed   = (file_key(32) ‖ nonce_prefix(8)) XOR stream[0..<40]
/// tag      = H(0x62 ‖ wrap_key ‖ wrap_nonce ‖ sealed)[0..<16]
/// ```
///
/// Version 2 (what uploads write) wraps it under a capsule that a share ticket's re-encryption key
/// can transform for a reader (section 10.12):
///
/// ```
/// header   = 0x02 ‖ E(32) ‖ sealed(40) ‖ tag(16)                              89 bytes
/// E = r·G (r random),  K = H(0x64 ‖ E ‖ r·A) = H(0x64 ‖ E ‖ a·E)
/// stream   = H(0x61 ‖ K ‖ E ‖ u32be(0)) ‖ H(0x61 ‖ K ‖ E ‖ u32be(1))
/// sealed   = (file_key(32) ‖ nonce_prefix(8)) XOR stream[0..<40]
/// tag      = H(0x62 ‖ K ‖ E ‖ sealed)[0..<16]
/// ```
public struct EncryptionHeader: Sendable, Equatable {
    public static let version: UInt8 = 1
    public static let byteCount = 73
    public static let capsuleVersion: UInt8 = 2
    public static let capsuleByteCount = 89
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    static func wrapKey(_ owner: SigningKey) -> Hash {
        var hasher = SHA256()
        hasher.update(byte: 0x60)
        hasher.update(owner.seed)
        return hasher.finalize()
    }

    static func stream(wrapKey: Hash, nonce: [UInt8]) -> [UInt8] {
        (0..<2).flatMap { (counter: UInt32) -> [UInt8] in
            var hasher = SHA256()
            hasher.update(byte: 0x61)
            hasher.update(hash: wrapKey)
            hasher.update(nonce)
            withUnsafeBytes(of: counter.bigEndian) { hasher.update($0) }
            return hasher.finalize().bytes
        }
    }

    static func tag(wrapKey: Hash, nonce: [UInt8], sealed: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(byte: 0x62)
        hasher.update(hash: wrapKey)
        hasher.update(nonce)
        hasher.update(sealed)
        return Array(hasher.finalize().bytes.prefix(16))
    }

    /// Wraps `key` for `owner` under a fresh random nonce.
    public static func wrap(_ key: StripeKey, owner: SigningKey) -> EncryptionHeader {
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return wrap(key, owner: owner, nonce: nonce)
    }

    static func wrap(_ key: StripeKey, owner: SigningKey, nonce: [UInt8]) -> EncryptionHeader {
        let wrapKey = wrapKey(owner)
        let plain = key.key + key.noncePrefix
        let sealed = zip(plain, stream(wrapKey: wrapKey, nonce: nonce)).map { $0 ^ $1 }
        return EncryptionHeader(bytes: [version] + nonce + sealed + tag(wrapKey: wrapKey, nonce: nonce, sealed: sealed))
    }

    /// Wraps `key` under a fresh capsule for the owner whose share key is `owner` (version 2).
    public static func seal(_ key: StripeKey, owner: RistrettoPoint) -> EncryptionHeader {
        seal(key, owner: owner, capsuleScalar: .random())
    }

    /// With a chosen capsule scalar: for test vectors only. Never seal two keys under one `r`: they
    /// would share `K`, hence the XOR stream.
    public static func seal(_ key: StripeKey, owner: RistrettoPoint, capsuleScalar r: RistrettoScalar)
        -> EncryptionHeader
    {
        let capsule = r.point
        // r·A of a valid point and a non-zero scalar is never the identity (prime order).
        let capsuleKey = ProxyReencryption.capsuleKey(capsule: capsule, shared: owner.times(r)!)
        let plain = key.key + key.noncePrefix
        let sealed = zip(plain, stream(wrapKey: capsuleKey, nonce: capsule.bytes)).map { $0 ^ $1 }
        return EncryptionHeader(
            bytes: [capsuleVersion] + capsule.bytes + sealed
                + tag(wrapKey: capsuleKey, nonce: capsule.bytes, sealed: sealed))
    }

    /// The capsule `E` of a version-2 header; nil for version 1 or a damaged header.
    public var capsule: RistrettoPoint? {
        guard bytes.count == Self.capsuleByteCount, bytes[0] == Self.capsuleVersion else { return nil }
        return RistrettoPoint(bytes: bytes[1..<33])
    }

    /// The file key of a version-2 header, given its shared point `a·E` (the owner's own, or the one
    /// a reader computes from a transformed capsule), if nothing was altered.
    public func open(shared: RistrettoPoint) throws(ClientError) -> StripeKey {
        guard let capsule else {
            throw .integrity(path: "", reason: "not a capsule encryption header (\(bytes.count) bytes)")
        }
        let capsuleKey = ProxyReencryption.capsuleKey(capsule: capsule, shared: shared)
        let sealed = Array(bytes[33..<73])
        guard Array(bytes[73..<89]) == Self.tag(wrapKey: capsuleKey, nonce: capsule.bytes, sealed: sealed) else {
            throw .integrity(path: "", reason: "the file key was not sealed for this key, or was altered")
        }
        let plain = zip(sealed, Self.stream(wrapKey: capsuleKey, nonce: capsule.bytes)).map { $0 ^ $1 }
        return try! StripeKey(key: plain[0..<32], noncePrefix: plain[32..<40])  // lengths fixed above
    }

    /// The file key of a version-2 header for a reader, from a blobber's transformed capsule.
    public func open(transformed: TransformedCapsule, reader: SigningKey) throws(ClientError) -> StripeKey {
        guard let e = RistrettoPoint(hex: transformed.e), let x = RistrettoPoint(hex: transformed.x) else {
            throw .integrity(path: "", reason: "the transformed capsule is not two valid ristretto255 points")
        }
        return try open(
            shared: ProxyReencryption.shared(transformed: e, ephemeral: x, reader: reader.shareScalar))
    }

    /// The file key, if `owner` wrapped it (either version) and nothing was altered.
    public func unwrap(owner: SigningKey) throws(ClientError) -> StripeKey {
        if bytes.first == Self.capsuleVersion, let capsule {
            return try open(shared: capsule.times(owner.shareScalar)!)
        }
        guard bytes.count == Self.byteCount, bytes[0] == Self.version else {
            throw .integrity(path: "", reason: "unknown encryption header (\(bytes.count) bytes)")
        }
        let nonce = Array(bytes[1..<17])
        let sealed = Array(bytes[17..<57])
        let wrapKey = Self.wrapKey(owner)
        guard Array(bytes[57..<73]) == Self.tag(wrapKey: wrapKey, nonce: nonce, sealed: sealed) else {
            throw .integrity(path: "", reason: "the file key was not wrapped for this wallet, or was altered")
        }
        let plain = zip(sealed, Self.stream(wrapKey: wrapKey, nonce: nonce)).map { $0 ^ $1 }
        return try! StripeKey(key: plain[0..<32], noncePrefix: plain[32..<40])  // lengths fixed above
    }
}
