/// Opens the stripes of one file sealed by a `StripeCipher`, in any order and any number of times
/// (decrypting under a repeated nonce is harmless; only encrypting is not).
///
/// A class for the same reason as `StripeCipher`: it owns an OpenSSL context; not `Sendable`, one
/// per download task.
public final class StripeDecryptor {
    public let stripeKey: StripeKey
    private let gcm: GCMContext

    public init(key: StripeKey) {
        self.stripeKey = key
        self.gcm = key.key.withUnsafeBytes { GCMContext(key: $0, encrypting: false) }
    }

    /// From the stored 32-byte key and 8-byte nonce prefix.
    public convenience init(key: some Collection<UInt8>, noncePrefix: some Collection<UInt8>) throws(StripeCipherError)
    {
        self.init(key: try StripeKey(key: key, noncePrefix: noncePrefix))
    }

    /// Opens stripe `index` in place: `stripe[0..<plaintextLength]` is ciphertext and becomes
    /// plaintext, the tag follows it; bytes after the tag (padding) are ignored. On
    /// `authenticationFailed` those bytes are zeroed, so unauthenticated plaintext is never exposed.
    public func open(stripe: UnsafeMutableRawBufferPointer, plaintextLength: Int, index: Int) throws(StripeCipherError)
    {
        guard StripeLayout.indexRange.contains(index) else { throw .stripeIndexOutOfRange(index: index) }
        try StripeLayout.check(stripeLength: stripe.count, plaintextLength: plaintextLength)
        let body = UnsafeMutableRawBufferPointer(rebasing: stripe[0..<plaintextLength])
        let tag = UnsafeRawBufferPointer(
            rebasing: stripe[plaintextLength..<(plaintextLength + StripeLayout.tagByteCount)])
        let authentic = StripeLayout.withNonceAndAAD(
            prefix: stripeKey.noncePrefix, index: UInt32(index), plaintextLength: plaintextLength
        ) { nonce, aad in
            gcm.open(body, nonce: nonce, aad: aad, tag: tag)
        }
        guard authentic else { throw .authenticationFailed(stripeIndex: index) }
    }

    /// Opens ciphertext ‖ tag of stripe `index` and returns the plaintext.
    public func open(_ sealed: [UInt8], index: Int) throws(StripeCipherError) -> [UInt8] {
        let plaintextLength = sealed.count - StripeLayout.tagByteCount
        var buffer = sealed
        let failure: StripeCipherError? = buffer.withUnsafeMutableBytes { buffer in
            // Assigned, not returned, inside `do throws`: Swift 6.3.1 -O can miscompile a `return`
            // from a typed do/catch inside a closure.
            let failure: StripeCipherError?
            do throws(StripeCipherError) {
                try open(stripe: buffer, plaintextLength: plaintextLength, index: index)
                failure = nil
            } catch { failure = error }
            return failure
        }
        if let failure { throw failure }
        return Array(buffer.prefix(plaintextLength))
    }
}

@available(*, unavailable, message: "a StripeDecryptor belongs to one download task")
extension StripeDecryptor: Sendable {}
