import COpenSSLCrypto
import Merkle

/// The digests S3 and SigV4 need, from the OpenSSL every node already links for SHA-256 (no second
/// crypto library to build): MD5 for ETags, SHA-256 for payload hashes, HMAC-SHA-256 for signatures.
enum Digest {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] { SHA256.hash(bytes).bytes }

    static func md5(_ bytes: [UInt8]) -> [UInt8] {
        let stream = MD5Stream()
        stream.update(bytes)
        return stream.finalize()
    }

    static func hmacSHA256(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        let done = key.withUnsafeBufferPointer { keyBytes in
            message.withUnsafeBufferPointer { messageBytes in
                HMAC(
                    EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count), messageBytes.baseAddress,
                    messageBytes.count, &out, &length)
            }
        }
        precondition(done != nil && length == 32, "OpenSSL HMAC-SHA-256 failed")
        return out
    }
}

/// MD5 over bytes given in pieces (an upload's ETag as it streams in), on OpenSSL's EVP interface. One
/// owner at a time (not `Sendable`).
final class MD5Stream {
    private let context: OpaquePointer

    init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_md5(), nil) == 1 else {
            preconditionFailure("OpenSSL cannot start an MD5 digest")
        }
        self.context = context
    }

    func update(_ bytes: some Collection<UInt8>) {
        let done = bytes.withContiguousStorageIfAvailable { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
            ?? Array(bytes).withUnsafeBufferPointer { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        precondition(done == 1, "OpenSSL MD5 update failed")
    }

    /// The 16-byte digest; call once, last.
    func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(context, &out, &length) == 1 && length == 16, "OpenSSL MD5 final failed")
        return out
    }

    deinit { EVP_MD_CTX_free(context) }
}
