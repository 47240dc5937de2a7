import COpenSSLCrypto

/// One AES-256-GCM key in an OpenSSL `EVP_CIPHER_CTX`, used for every stripe of one file.
///
/// The key schedule is expanded once in `init`; each stripe only sets a new 96-bit nonce, so a
/// stripe costs the cipher work and no allocation. Works in place (`EVP_*Update` allows input and
/// output to be the same buffer). Not thread-safe: the context holds per-message state, so each owner
/// (`StripeCipher`, `StripeDecryptor`) is a non-`Sendable` class.
final class GCMContext {
    static let keyByteCount = 32
    static let nonceByteCount = 12
    static let tagByteCount = 16

    private let context: OpaquePointer
    private let encrypting: Bool

    /// `key` must be 32 bytes (callers check).
    init(key: UnsafeRawBufferPointer, encrypting: Bool) {
        precondition(key.count == Self.keyByteCount)
        guard let context = EVP_CIPHER_CTX_new() else { fatalError("EVP_CIPHER_CTX_new failed: out of memory") }
        let keyBytes = key.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let status =
            encrypting
            ? EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, keyBytes, nil)
            : EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, keyBytes, nil)
        precondition(status == 1, "AES-256-GCM initialisation failed")
        self.context = context
        self.encrypting = encrypting
    }

    deinit {
        // Frees the context and cleanses the expanded key.
        EVP_CIPHER_CTX_free(context)
    }

    /// Encrypts `buffer` in place and writes the 16-byte tag to `tag`.
    func seal(
        _ buffer: UnsafeMutableRawBufferPointer, nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
        tag: UnsafeMutableRawPointer
    ) {
        precondition(encrypting && nonce.count == Self.nonceByteCount)
        var ok = EVP_EncryptInit_ex(context, nil, nil, nil, bytes(nonce)) == 1
        var written: Int32 = 0
        if aad.count > 0 { ok = ok && EVP_EncryptUpdate(context, nil, &written, bytes(aad), Int32(aad.count)) == 1 }
        ok =
            ok
            && forEachChunk(of: buffer) { chunk, length in
                EVP_EncryptUpdate(context, chunk, &written, chunk, length) == 1
            }
        ok = ok && EVP_EncryptFinal_ex(context, nil, &written) == 1
        ok = ok && cgcm_get_tag(context, tag.assumingMemoryBound(to: UInt8.self), Int32(Self.tagByteCount)) == 1
        // Failure here means OpenSSL itself is broken; carrying on could emit unencrypted bytes.
        precondition(ok, "AES-256-GCM encryption failed")
    }

    /// Decrypts `buffer` in place and checks `tag`; false (and `buffer` zeroed, so unauthenticated
    /// plaintext never escapes) when the tag does not match.
    func open(
        _ buffer: UnsafeMutableRawBufferPointer, nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer,
        tag: UnsafeRawBufferPointer
    ) -> Bool {
        precondition(!encrypting && nonce.count == Self.nonceByteCount && tag.count == Self.tagByteCount)
        var ok = EVP_DecryptInit_ex(context, nil, nil, nil, bytes(nonce)) == 1
        var written: Int32 = 0
        if aad.count > 0 { ok = ok && EVP_DecryptUpdate(context, nil, &written, bytes(aad), Int32(aad.count)) == 1 }
        ok =
            ok
            && forEachChunk(of: buffer) { chunk, length in
                EVP_DecryptUpdate(context, chunk, &written, chunk, length) == 1
            }
        ok = ok && cgcm_set_tag(context, bytes(tag), Int32(Self.tagByteCount)) == 1
        ok = ok && EVP_DecryptFinal_ex(context, nil, &written) == 1
        if !ok, buffer.count > 0 { buffer.initializeMemory(as: UInt8.self, repeating: 0) }
        return ok
    }

    private func bytes(_ buffer: UnsafeRawBufferPointer) -> UnsafePointer<UInt8>? {
        buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
    }

    /// OpenSSL takes `int` lengths; GCM itself allows a message to be fed in pieces, so large
    /// buffers go through in 1 GiB chunks (GCM's own limit is 64 GiB per nonce).
    private func forEachChunk(
        of buffer: UnsafeMutableRawBufferPointer, _ body: (UnsafeMutablePointer<UInt8>, Int32) -> Bool
    ) -> Bool {
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
        var offset = 0
        while offset < buffer.count {
            let length = min(buffer.count - offset, 1 << 30)
            guard body(base + offset, Int32(length)) else { return false }
            offset += length
        }
        return true
    }
}
