/// Why sealing or opening a stripe was refused. Codes are documented in docs/PROTOCOL.md section 5.
public enum StripeCipherError: CodedError, Equatable {
    /// The tag did not match: wrong key, wrong stripe index, wrong length, or altered bytes.
    case authenticationFailed(stripeIndex: Int)
    /// Encrypting a stripe index at or below one already sealed would reuse a nonce.
    case stripeIndexNotIncreasing(index: Int, next: Int)
    /// Stripe indexes are 32 bits in the nonce.
    case stripeIndexOutOfRange(index: Int)
    /// The stripe buffer cannot hold the plaintext and the 16-byte tag.
    case stripeTooSmall(stripeLength: Int, plaintextLength: Int)
    case badKeyLength(what: String, expected: Int, got: Int)

    public var code: String {
        switch self {
        case .authenticationFailed: "crypto.gcm_auth_failed"
        case .stripeIndexNotIncreasing: "crypto.stripe_index_reused"
        case .stripeIndexOutOfRange: "crypto.stripe_index_out_of_range"
        case .stripeTooSmall: "crypto.stripe_too_small"
        case .badKeyLength: "crypto.bad_key_length"
        }
    }

    public var description: String {
        switch self {
        case .authenticationFailed(let index): "stripe \(index) failed AES-GCM authentication"
        case .stripeIndexNotIncreasing(let index, let next):
            "refusing to encrypt stripe \(index): stripes are sealed in increasing order, the next allowed is \(next)"
        case .stripeIndexOutOfRange(let index): "stripe index \(index) is outside 0...\(UInt32.max)"
        case .stripeTooSmall(let stripe, let plaintext):
            "a stripe of \(stripe) bytes cannot hold \(plaintext) plaintext bytes and a 16-byte tag"
        case .badKeyLength(let what, let expected, let got): "\(what) must be \(expected) bytes, got \(got)"
        }
    }
}
