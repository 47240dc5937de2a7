import CSodium
public import Merkle

/// An Ed25519 public key (32 bytes, hex on the wire).
public struct PublicKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public let bytes: [UInt8]

    public static let byteCount = 32

    public init(bytes: some Collection<UInt8>) throws(KeyError) {
        guard bytes.count == PublicKey.byteCount else {
            throw .badLength(what: "public key", expected: PublicKey.byteCount, got: bytes.count)
        }
        self.bytes = Array(bytes)
    }

    public init(hex: String) throws(KeyError) {
        guard let raw = Hex.decode(hex) else { throw .notHex(what: "public key") }
        try self.init(bytes: raw)
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    /// The identity this key stands for: SHA-256 of the 32 key bytes.
    public var id: Hash { SHA256.hash(bytes) }

    /// Checks a detached signature over `message`.
    public func isValidSignature(_ signature: Signature, for message: UnsafeRawBufferPointer) -> Bool {
        _ = Sodium.ready
        return signature.bytes.withUnsafeBufferPointer { sig in
            bytes.withUnsafeBufferPointer { key in
                crypto_sign_verify_detached(
                    sig.baseAddress!, message.baseAddress?.assumingMemoryBound(to: UInt8.self),
                    UInt64(message.count), key.baseAddress!) == 0
            }
        }
    }

    public func isValidSignature(_ signature: Signature, for message: some ContiguousBytes) -> Bool {
        message.withUnsafeBytes { isValidSignature(signature, for: $0) }
    }

    /// Objects are signed over the 32 raw bytes of their hash.
    public func isValidSignature(_ signature: Signature, over hash: Hash) -> Bool {
        hash.withUnsafeBytes { isValidSignature(signature, for: $0) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { try self.init(hex: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

/// An Ed25519 signature (64 bytes, hex on the wire).
public struct Signature: Hashable, Sendable, Codable, CustomStringConvertible {
    public let bytes: [UInt8]

    public static let byteCount = 64

    public init(bytes: some Collection<UInt8>) throws(KeyError) {
        guard bytes.count == Signature.byteCount else {
            throw .badLength(what: "signature", expected: Signature.byteCount, got: bytes.count)
        }
        self.bytes = Array(bytes)
    }

    public init(hex: String) throws(KeyError) {
        guard let raw = Hex.decode(hex) else { throw .notHex(what: "signature") }
        try self.init(bytes: raw)
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { try self.init(hex: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

/// An Ed25519 key pair. The 32-byte seed is the secret; libsodium expands it to its 64-byte form.
public struct SigningKey: Sendable {
    /// libsodium's secret key: seed ‖ public key.
    private let secret: [UInt8]
    public let publicKey: PublicKey

    public static let seedByteCount = 32

    /// Derives the key pair from a 32-byte seed (RFC 8032's "secret key").
    public init(seed: some Collection<UInt8>) throws(KeyError) {
        guard seed.count == SigningKey.seedByteCount else {
            throw .badLength(what: "secret seed", expected: SigningKey.seedByteCount, got: seed.count)
        }
        _ = Sodium.ready
        var seedBytes = Array(seed)
        var publicBytes = [UInt8](repeating: 0, count: PublicKey.byteCount)
        var secretBytes = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        crypto_sign_seed_keypair(&publicBytes, &secretBytes, &seedBytes)
        Sodium.wipe(&seedBytes)
        self.secret = secretBytes
        self.publicKey = try PublicKey(bytes: publicBytes)
    }

    /// A new key pair from the system's secure random source.
    public static func generate() -> SigningKey {
        var seed = Sodium.randomBytes(seedByteCount)
        defer { Sodium.wipe(&seed) }
        return try! SigningKey(seed: seed)  // 32 bytes: cannot fail
    }

    /// The 32-byte seed, for writing a key file.
    public var seed: [UInt8] { Array(secret[0..<SigningKey.seedByteCount]) }

    /// The identity of this key: SHA-256 of the public key.
    public var id: Hash { publicKey.id }

    public func signature(for message: UnsafeRawBufferPointer) -> Signature {
        var out = [UInt8](repeating: 0, count: Signature.byteCount)
        secret.withUnsafeBufferPointer { key in
            _ = crypto_sign_detached(
                &out, nil, message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count),
                key.baseAddress!)
        }
        return try! Signature(bytes: out)  // 64 bytes: cannot fail
    }

    public func signature(for message: some ContiguousBytes) -> Signature {
        message.withUnsafeBytes { signature(for: $0) }
    }

    /// Signs the 32 raw bytes of an object's hash, as every signed object in the protocol is.
    public func signature(over hash: Hash) -> Signature {
        hash.withUnsafeBytes { signature(for: $0) }
    }
}

/// Malformed keys, signatures and key files.
public enum KeyError: CodedError, Equatable {
    case badLength(what: String, expected: Int, got: Int)
    case notHex(what: String)
    case keyFileUnreadable(path: String, reason: String)
    case keyFileMalformed(path: String, reason: String)
    case keyFileMismatch(path: String)
    case keyFileExists(path: String)
    case keyFileInsecure(path: String, mode: UInt32)

    public var code: String {
        switch self {
        case .badLength: "key.bad_length"
        case .notHex: "key.not_hex"
        case .keyFileUnreadable: "key.file_unreadable"
        case .keyFileMalformed: "key.file_malformed"
        case .keyFileMismatch: "key.file_mismatch"
        case .keyFileExists: "key.file_exists"
        case .keyFileInsecure: "key.file_insecure"
        }
    }

    public var description: String {
        switch self {
        case .badLength(let what, let expected, let got): "\(what) must be \(expected) bytes, got \(got)"
        case .notHex(let what): "\(what) is not hexadecimal"
        case .keyFileUnreadable(let path, let reason): "cannot read key file \(path): \(reason)"
        case .keyFileMalformed(let path, let reason): "key file \(path) is malformed: \(reason)"
        case .keyFileMismatch(let path):
            "key file \(path) is inconsistent: its public key or id does not match its secret seed"
        case .keyFileExists(let path): "key file \(path) already exists; refusing to overwrite a key"
        case .keyFileInsecure(let path, let mode):
            "key file \(path) has mode \(String(mode, radix: 8)); it must not be readable by group or others (chmod 600)"
        }
    }
}
