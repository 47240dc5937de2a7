/// Encrypts the stripes of one file with AES-256-GCM before erasure coding.
///
/// Nonce reuse under one key is impossible by construction: a cipher exists only with a fresh random
/// `StripeKey` (`random()`), the nonce is `noncePrefix ‖ u32be(stripeIndex)`, and the cipher refuses
/// any stripe index not greater than the last one it sealed (uploads go in order) or beyond
/// `UInt32.max`. To read a file back, use `StripeDecryptor` with the stored key.
///
/// Layout of a sealed stripe of `S` bytes (`S = k × 65536`): ciphertext (`n` bytes, same as the
/// plaintext) ‖ 16-byte tag ‖ zeros to `S`; a full stripe carries `n = S − 16` bytes of plaintext
/// (`plaintextCapacity(stripeLength:)`). The AAD `u32be(index) ‖ u64be(n)` binds each stripe to
/// its position and length, so stripes cannot be swapped or truncated undetected.
///
/// A class because it owns an OpenSSL context (freed in `deinit`) and the high-water mark; not
/// `Sendable`, because both are mutated by every `seal`. One upload task owns one cipher.
public final class StripeCipher {
    public static let tagByteCount = StripeLayout.tagByteCount

    /// The secret to wrap for the owner and store; it can only decrypt (`StripeDecryptor`).
    public let stripeKey: StripeKey
    /// The lowest stripe index `seal` still accepts; every index below it may have been used.
    public private(set) var nextStripeIndex = 0
    private let gcm: GCMContext

    /// A cipher with a fresh random key and nonce prefix: the only public way to encrypt.
    public static func random() -> StripeCipher {
        StripeCipher(key: StripeKey.random())
    }

    /// For the protocol's fixed test vectors only: a caller-chosen key could be reused across files.
    init(key: StripeKey) {
        self.stripeKey = key
        self.gcm = key.key.withUnsafeBytes { GCMContext(key: $0, encrypting: true) }
    }

    /// Plaintext bytes that fit a stripe buffer of `stripeLength` bytes: room is left for the tag.
    public static func plaintextCapacity(stripeLength: Int) -> Int {
        max(0, stripeLength - tagByteCount)
    }

    /// Seals stripe `index` in place: `stripe[0..<plaintextLength]` holds the plaintext and becomes
    /// ciphertext, the tag goes right after it, and the rest of `stripe` is zeroed (the last stripe's
    /// padding). `index` must be greater than every index sealed before and at most `UInt32.max`;
    /// a refused call changes nothing.
    public func seal(stripe: UnsafeMutableRawBufferPointer, plaintextLength: Int, index: Int) throws(StripeCipherError)
    {
        guard StripeLayout.indexRange.contains(index) else { throw .stripeIndexOutOfRange(index: index) }
        guard index >= nextStripeIndex else { throw .stripeIndexNotIncreasing(index: index, next: nextStripeIndex) }
        try StripeLayout.check(stripeLength: stripe.count, plaintextLength: plaintextLength)
        // Spend the nonce before using it, so nothing can encrypt under it again.
        nextStripeIndex = index + 1

        let body = UnsafeMutableRawBufferPointer(rebasing: stripe[0..<plaintextLength])
        let tagEnd = plaintextLength + Self.tagByteCount
        StripeLayout.withNonceAndAAD(
            prefix: stripeKey.noncePrefix, index: UInt32(index), plaintextLength: plaintextLength
        ) { nonce, aad in
            gcm.seal(body, nonce: nonce, aad: aad, tag: stripe.baseAddress! + plaintextLength)
        }
        if tagEnd < stripe.count {
            UnsafeMutableRawBufferPointer(rebasing: stripe[tagEnd...]).initializeMemory(as: UInt8.self, repeating: 0)
        }
    }

    /// Seals stripe `index` and returns ciphertext ‖ tag (`plaintext.count + 16` bytes).
    public func seal(_ plaintext: [UInt8], index: Int) throws(StripeCipherError) -> [UInt8] {
        var sealed = plaintext + [UInt8](repeating: 0, count: Self.tagByteCount)
        // `withUnsafeMutableBytes` only rethrows untyped errors; carry the typed one out by hand.
        let failure: StripeCipherError? = sealed.withUnsafeMutableBytes { buffer in
            // Assigned, not returned, inside `do throws`: Swift 6.3.1 -O can miscompile a `return`
            // from a typed do/catch inside a closure.
            let failure: StripeCipherError?
            do throws(StripeCipherError) {
                try seal(stripe: buffer, plaintextLength: plaintext.count, index: index)
                failure = nil
            } catch { failure = error }
            return failure
        }
        if let failure { throw failure }
        return sealed
    }
}

@available(*, unavailable, message: "a StripeCipher belongs to one upload task")
extension StripeCipher: Sendable {}
