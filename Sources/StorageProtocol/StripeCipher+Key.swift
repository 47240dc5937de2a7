import COpenSSLCrypto

/// The secret that decrypts one file: a 32-byte AES-256 key and an 8-byte nonce prefix, both fresh
/// and random per file. It is what gets wrapped for the owner and stored with the file's metadata.
///
/// Only `StripeCipher.random()` encrypts, and it always draws a new `StripeKey`; a key rebuilt from
/// bytes can only decrypt (`StripeDecryptor`). That is what makes nonce reuse impossible.
public struct StripeKey: Sendable, Equatable, CustomStringConvertible {
    public static let keyByteCount = 32
    public static let noncePrefixByteCount = 8

    /// AES-256 key.
    public let key: [UInt8]
    /// The first 8 bytes of every nonce of this file; the last 4 are the stripe index.
    public let noncePrefix: [UInt8]

    public init(key: some Collection<UInt8>, noncePrefix: some Collection<UInt8>) throws(StripeCipherError) {
        guard key.count == Self.keyByteCount else {
            throw .badKeyLength(what: "stripe key", expected: Self.keyByteCount, got: key.count)
        }
        guard noncePrefix.count == Self.noncePrefixByteCount else {
            throw .badKeyLength(what: "nonce prefix", expected: Self.noncePrefixByteCount, got: noncePrefix.count)
        }
        self.key = Array(key)
        self.noncePrefix = Array(noncePrefix)
    }

    /// A new key and prefix from OpenSSL's CSPRNG.
    static func random() -> StripeKey {
        try! StripeKey(key: randomBytes(keyByteCount), noncePrefix: randomBytes(noncePrefixByteCount))  // lengths fixed
    }

    /// The GCM nonce of stripe `index`: `noncePrefix ‖ u32be(index)`.
    public func nonce(forStripe index: UInt32) -> [UInt8] {
        noncePrefix + withUnsafeBytes(of: index.bigEndian) { Array($0) }
    }

    /// Never prints the secret.
    public var description: String { "StripeKey(<redacted>)" }
}

/// Fixed stripe-encryption layout shared by both directions.
enum StripeLayout {
    static let tagByteCount = GCMContext.tagByteCount

    /// Indexes are 32-bit in the nonce; larger ones would wrap and repeat a nonce.
    static let indexRange = 0...Int(UInt32.max)

    /// Calls `body` with the 12-byte nonce and the 12-byte AAD `u32be(index) ‖ u64be(length)`, both on
    /// the stack.
    static func withNonceAndAAD<R>(
        prefix: [UInt8], index: UInt32, plaintextLength: Int,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R
    ) -> R {
        withUnsafeTemporaryAllocation(byteCount: 24, alignment: 8) { scratch in
            scratch.copyBytes(from: prefix)
            scratch.storeBytes(of: index.bigEndian, toByteOffset: 8, as: UInt32.self)
            scratch.storeBytes(of: index.bigEndian, toByteOffset: 12, as: UInt32.self)
            scratch.storeBytes(of: UInt64(plaintextLength).bigEndian, toByteOffset: 16, as: UInt64.self)
            return body(
                UnsafeRawBufferPointer(rebasing: scratch[0..<12]), UnsafeRawBufferPointer(rebasing: scratch[12..<24]))
        }
    }

    /// Checks that `plaintextLength` bytes plus the tag fit in a stripe buffer of `stripeLength`.
    static func check(stripeLength: Int, plaintextLength: Int) throws(StripeCipherError) {
        guard plaintextLength >= 0, plaintextLength <= stripeLength - tagByteCount else {
            throw .stripeTooSmall(stripeLength: stripeLength, plaintextLength: plaintextLength)
        }
    }
}

/// Cryptographically secure random bytes from OpenSSL.
func randomBytes(_ count: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
    // Without a working CSPRNG no key can be made safely; there is nothing to fall back to.
    precondition(status == 1, "RAND_bytes failed")
    return bytes
}
