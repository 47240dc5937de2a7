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
public struct EncryptionHeader: Sendable, Equatable {
    public static let version: UInt8 = 1
    public static let byteCount = 73
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

    /// The file key, if `owner` wrapped it and nothing was altered.
    public func unwrap(owner: SigningKey) throws(ClientError) -> StripeKey {
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
