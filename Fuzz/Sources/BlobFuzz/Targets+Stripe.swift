import StorageProtocol

extension FuzzTarget {
    /// `StripeDecryptor.open` on stripes from blobbers: `key(32) ‖ nonce prefix(8) ‖ i64be(index) ‖
    /// u16be(plaintext length) ‖ stripe`. Nothing but the sealed stripe opens, and one flipped bit
    /// makes it fail.
    static let stripe = FuzzTarget(name: "stripe") { bytes in
        guard bytes.count >= 50 else { return }
        guard let decryptor = try? StripeDecryptor(key: bytes[0..<32], noncePrefix: bytes[32..<40]) else {
            fatalError("property failed: 32 + 8 bytes make a key")
        }
        let index = Int(Int64(bitPattern: bytes[40..<48].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
        let plaintextLength = Int(bytes[48]) << 8 | Int(bytes[49])
        var stripe = Array(bytes[50...])
        let opened = stripe.withUnsafeMutableBytes { buffer in
            (try? decryptor.open(stripe: buffer, plaintextLength: plaintextLength, index: index)) != nil
        }
        guard opened else { return }
        require(plaintextLength + StripeCipher.tagByteCount <= bytes.count - 50, "opened past the buffer")
        var tampered = Array(bytes[50..<(50 + plaintextLength + StripeCipher.tagByteCount)])
        tampered[tampered.count - 1] ^= 1
        require((try? decryptor.open(tampered, index: index)) == nil, "a tampered stripe opened")
    } seeds: {
        [(0, 0, 16), (1, 100, 116), (7, 1000, 1100)].map { index, length, stripeLength in
            let cipher = StripeCipher.random()
            var stripe = [UInt8](repeating: 0, count: stripeLength)
            for offset in 0..<length { stripe[offset] = UInt8(truncatingIfNeeded: offset) }
            stripe.withUnsafeMutableBytes { buffer in
                try! cipher.seal(stripe: buffer, plaintextLength: length, index: index)
            }
            let header = withUnsafeBytes(of: Int64(index).bigEndian) { Array($0) } + [UInt8(length >> 8), UInt8(length & 0xff)]
            return cipher.stripeKey.key + cipher.stripeKey.noncePrefix + header + stripe
        }
    }
}
