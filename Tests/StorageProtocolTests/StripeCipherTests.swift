import Merkle
import PropertyBased
import TestProcesses
import Testing

@testable import StorageProtocol

/// AES-256 GCM test cases 13-16 from McGrew & Viega, "The Galois/Counter Mode of Operation",
/// appendix B (96-bit IVs).
struct GCMVector: Sendable, CustomTestStringConvertible {
    let name: String
    let key: String
    let nonce: String
    let aad: String
    let plaintext: String
    let ciphertext: String
    let tag: String
    var testDescription: String { name }
}

private let gcmKey = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
private let gcmPlaintext =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
private let gcmCiphertext =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"

let gcmVectors = [
    GCMVector(
        name: "Test Case 13", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
        aad: "", plaintext: "", ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
    GCMVector(
        name: "Test Case 14", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
        aad: "", plaintext: String(repeating: "00", count: 16), ciphertext: "cea7403d4d606b6e074ec5d3baf39d18",
        tag: "d0d1c8a799996bf0265b98b5d48ab919"),
    GCMVector(
        name: "Test Case 15", key: gcmKey, nonce: "cafebabefacedbaddecaf888", aad: "", plaintext: gcmPlaintext,
        ciphertext: gcmCiphertext, tag: "b094dac5d93471bdec1a502270e3cc6c"),
    GCMVector(
        name: "Test Case 16", key: gcmKey, nonce: "cafebabefacedbaddecaf888",
        aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2", plaintext: String(gcmPlaintext.prefix(120)),
        ciphertext: String(gcmCiphertext.prefix(120)), tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
]

/// The stripe vector printed in docs/PROTOCOL.md section 5.
enum StripeVector {
    static let key = Array(0x00...0x1f as ClosedRange<UInt8>)
    static let noncePrefix = Array(0xf0...0xf7 as ClosedRange<UInt8>)
    static let index = 1
    static let plaintext = Array("stripe one of a file".utf8)
    static let stripeLength = 48
    static let nonce = "f0f1f2f3f4f5f6f700000001"
    static let aad = "000000010000000000000014"
    static let sealed =
        "e3dea13c290bb9150246e459bb0ab4ea04e660e9" + "5687351c435871b05a1b007436d30766"
        + String(repeating: "00", count: 12)
}

@Suite struct StripeCipherTests {
    @Test(arguments: gcmVectors)
    func nistKnownAnswers(vector: GCMVector) throws {
        let key = try #require(Hex.decode(vector.key))
        let nonce = try #require(Hex.decode(vector.nonce))
        let aad = try #require(Hex.decode(vector.aad))
        var buffer = try #require(Hex.decode(vector.plaintext))
        var tag = [UInt8](repeating: 0, count: 16)
        let sealer = key.withUnsafeBytes { GCMContext(key: $0, encrypting: true) }
        buffer.withUnsafeMutableBytes { body in
            nonce.withUnsafeBytes { nonce in
                aad.withUnsafeBytes { aad in
                    tag.withUnsafeMutableBytes { sealer.seal(body, nonce: nonce, aad: aad, tag: $0.baseAddress!) }
                }
            }
        }
        #expect(Hex.encode(buffer) == vector.ciphertext)
        #expect(Hex.encode(tag) == vector.tag)

        let opener = key.withUnsafeBytes { GCMContext(key: $0, encrypting: false) }
        let opened = buffer.withUnsafeMutableBytes { body in
            nonce.withUnsafeBytes { nonce in
                aad.withUnsafeBytes { aad in tag.withUnsafeBytes { opener.open(body, nonce: nonce, aad: aad, tag: $0) }
                }
            }
        }
        #expect(opened)
        #expect(Hex.encode(buffer) == vector.plaintext)
    }

    @Test func documentedStripeVector() throws {
        let stripeKey = try StripeKey(key: StripeVector.key, noncePrefix: StripeVector.noncePrefix)
        #expect(Hex.encode(stripeKey.nonce(forStripe: UInt32(StripeVector.index))) == StripeVector.nonce)
        StripeLayout.withNonceAndAAD(
            prefix: StripeVector.noncePrefix, index: UInt32(StripeVector.index),
            plaintextLength: StripeVector.plaintext.count
        ) { nonce, aad in
            #expect(Hex.encode(nonce) == StripeVector.nonce)
            #expect(Hex.encode(aad) == StripeVector.aad)
        }

        var stripe = StripeVector.plaintext + [UInt8](repeating: 0xEE, count: StripeVector.stripeLength - 20)
        try stripe.withUnsafeMutableBytes {
            try StripeCipher(key: stripeKey).seal(stripe: $0, plaintextLength: 20, index: StripeVector.index)
        }
        #expect(Hex.encode(stripe) == StripeVector.sealed)

        // The public decryptor alone reproduces the plaintext from the documented bytes.
        let decryptor = try StripeDecryptor(key: StripeVector.key, noncePrefix: StripeVector.noncePrefix)
        var received = try #require(Hex.decode(StripeVector.sealed))
        try received.withUnsafeMutableBytes {
            try decryptor.open(stripe: $0, plaintextLength: 20, index: StripeVector.index)
        }
        #expect(Array(received.prefix(20)) == StripeVector.plaintext)
    }

    @Test func roundTripInAnyReadOrder() async throws {
        await propertyCheck(count: 60, input: Gen.uint8().array(of: 0...3000), Gen.int(in: 1...6)) { plaintext, count in
            recordingErrors {
                let cipher = StripeCipher.random()
                let sealed = try (0..<count).map { index in try cipher.seal(plaintext + [UInt8(index)], index: index * 2) }
                #expect(sealed.allSatisfy { $0.count == plaintext.count + 1 + 16 })
                #expect(sealed.first.map { Array($0.prefix(plaintext.count)) != plaintext || plaintext.count < 8 } == true)
                let decryptor = StripeDecryptor(key: cipher.stripeKey)
                for index in (0..<count).reversed() {
                    #expect(try decryptor.open(sealed[index], index: index * 2) == plaintext + [UInt8(index)])
                }
            }
        }
    }

    /// The streaming layout: a k × 64 KiB stripe buffer holds `S − 16` plaintext bytes; the last,
    /// short stripe is followed by its tag and zeros.
    @Test func fullAndPaddedStripesInPlace() throws {
        let stripeLength = 4 * 65_536
        let capacity = StripeCipher.plaintextCapacity(stripeLength: stripeLength)
        #expect(capacity == stripeLength - 16)
        var random = SystemRandomNumberGenerator()
        let file = (0..<(capacity + 1000)).map { _ in UInt8.random(in: 0...255, using: &random) }
        let cipher = StripeCipher.random()
        let decryptor = StripeDecryptor(key: cipher.stripeKey)
        for (index, range) in [0..<capacity, capacity..<file.count].enumerated() {
            var stripe = [UInt8](repeating: 0xEE, count: stripeLength)
            stripe.replaceSubrange(0..<range.count, with: file[range])
            try stripe.withUnsafeMutableBytes {
                try cipher.seal(stripe: $0, plaintextLength: range.count, index: index)
            }
            #expect(stripe.count == stripeLength)
            #expect(stripe[(range.count + 16)...].allSatisfy { $0 == 0 })
            #expect(Array(stripe[0..<range.count]) != Array(file[range]))
            try stripe.withUnsafeMutableBytes {
                try decryptor.open(stripe: $0, plaintextLength: range.count, index: index)
            }
            #expect(Array(stripe[0..<range.count]) == Array(file[range]))
        }
    }

    @Test func anyTamperingFailsAuthentication() async throws {
        await propertyCheck(
            count: 100, input: Gen.uint8().array(of: 1...200), Gen.int(in: 0...10_000), Gen.uint8(in: 1...255)
        ) { plaintext, position, flip in
            recordingErrors {
                let cipher = StripeCipher.random()
                let sealed = try cipher.seal(plaintext, index: 3)
                let decryptor = StripeDecryptor(key: cipher.stripeKey)
                #expect(try decryptor.open(sealed, index: 3) == plaintext)

                var altered = sealed
                altered[position % altered.count] ^= flip  // a ciphertext byte or a tag byte
                #expect(throws: StripeCipherError.authenticationFailed(stripeIndex: 3)) {
                    try decryptor.open(altered, index: 3)
                }
                // Moved to another position in the file.
                #expect(throws: StripeCipherError.authenticationFailed(stripeIndex: 4)) {
                    try decryptor.open(sealed, index: 4)
                }
                // Truncated by one plaintext byte, tag kept.
                let truncated = Array(sealed.prefix(plaintext.count - 1) + sealed.suffix(16))
                #expect(throws: StripeCipherError.authenticationFailed(stripeIndex: 3)) {
                    try decryptor.open(truncated, index: 3)
                }
                // Another file's key.
                let stranger = StripeDecryptor(key: StripeCipher.random().stripeKey)
                #expect(throws: StripeCipherError.authenticationFailed(stripeIndex: 3)) {
                    try stranger.open(sealed, index: 3)
                }
            }
        }
        #expect(StripeCipherError.authenticationFailed(stripeIndex: 0).code == "crypto.gcm_auth_failed")
    }

    /// The declared length is authenticated on its own: the same bytes read as a shorter plaintext
    /// (with the tag where that length puts it) fail, and the rejected bytes are wiped.
    @Test func failedOpenWipesTheUnauthenticatedPlaintext() throws {
        let cipher = StripeCipher.random()
        var stripe = [UInt8](repeating: 0x41, count: 64)
        try stripe.withUnsafeMutableBytes { try cipher.seal(stripe: $0, plaintextLength: 40, index: 0) }
        stripe[5] ^= 1
        let decryptor = StripeDecryptor(key: cipher.stripeKey)
        #expect(throws: StripeCipherError.authenticationFailed(stripeIndex: 0)) {
            try stripe.withUnsafeMutableBytes { try decryptor.open(stripe: $0, plaintextLength: 40, index: 0) }
        }
        #expect(stripe[0..<40].allSatisfy { $0 == 0 })
        #expect(stripe[40..<56].contains { $0 != 0 })  // the tag is left as received
    }

    /// Nonces never repeat under one key: across many ciphers and stripes every (key, nonce) pair is
    /// distinct, and each recorded nonce is the one the stripe was really sealed with.
    @Test func noNonceRepeatsAcrossCiphersAndStripes() throws {
        var pairs = Set<[UInt8]>()
        var keys = Set<[UInt8]>()
        var prefixes = Set<[UInt8]>()
        var random = SystemRandomNumberGenerator()
        var sealedCount = 0
        for _ in 0..<64 {
            let cipher = StripeCipher.random()
            keys.insert(cipher.stripeKey.key)
            prefixes.insert(cipher.stripeKey.noncePrefix)
            let opener = cipher.stripeKey.key.withUnsafeBytes { GCMContext(key: $0, encrypting: false) }
            var index = 0
            for _ in 0..<64 {
                index += Int.random(in: 0...3, using: &random)
                let plaintext = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 33)
                var sealed = try cipher.seal(plaintext, index: index)
                let nonce = cipher.stripeKey.nonce(forStripe: UInt32(index))
                let opened = StripeLayout.withNonceAndAAD(
                    prefix: cipher.stripeKey.noncePrefix, index: UInt32(index), plaintextLength: 33
                ) { _, aad in
                    let tag = Array(sealed.suffix(16))
                    return sealed.withUnsafeMutableBytes { buffer in
                        nonce.withUnsafeBytes { nonce in
                            tag.withUnsafeBytes {
                                opener.open(
                                    UnsafeMutableRawBufferPointer(rebasing: buffer[0..<33]), nonce: nonce, aad: aad,
                                    tag: $0)
                            }
                        }
                    }
                }
                #expect(opened && Array(sealed.prefix(33)) == plaintext)
                pairs.insert(cipher.stripeKey.key + nonce)
                sealedCount += 1
                index += 1
            }
            #expect(cipher.nextStripeIndex == index)
        }
        #expect(pairs.count == sealedCount)
        #expect(keys.count == 64 && prefixes.count == 64)
    }

    @Test func refusesToSealAnIndexTwiceOrOutOfOrder() throws {
        let cipher = StripeCipher.random()
        _ = try cipher.seal([1, 2, 3], index: 5)
        #expect(cipher.nextStripeIndex == 6)
        #expect(throws: StripeCipherError.stripeIndexNotIncreasing(index: 5, next: 6)) {
            try cipher.seal([1, 2, 3], index: 5)
        }
        #expect(throws: StripeCipherError.stripeIndexNotIncreasing(index: 2, next: 6)) {
            try cipher.seal([9], index: 2)
        }
        #expect(throws: StripeCipherError.stripeIndexOutOfRange(index: -1)) { try cipher.seal([9], index: -1) }
        let beyond = Int(UInt32.max) + 1
        #expect(throws: StripeCipherError.stripeIndexOutOfRange(index: beyond)) { try cipher.seal([9], index: beyond) }

        // A refused call neither touches the buffer nor spends the index.
        var stripe: [UInt8] = [7, 7, 7, 7]
        #expect(throws: StripeCipherError.stripeTooSmall(stripeLength: 4, plaintextLength: 1)) {
            try stripe.withUnsafeMutableBytes { try cipher.seal(stripe: $0, plaintextLength: 1, index: 6) }
        }
        #expect(throws: StripeCipherError.stripeIndexNotIncreasing(index: 4, next: 6)) {
            try stripe.withUnsafeMutableBytes { try cipher.seal(stripe: $0, plaintextLength: 0, index: 4) }
        }
        #expect(stripe == [7, 7, 7, 7])
        #expect(cipher.nextStripeIndex == 6)

        _ = try cipher.seal([1], index: Int(UInt32.max))
        #expect(throws: StripeCipherError.stripeIndexNotIncreasing(index: Int(UInt32.max), next: beyond)) {
            try cipher.seal([1], index: Int(UInt32.max))
        }
        #expect(StripeCipherError.stripeIndexNotIncreasing(index: 1, next: 2).code == "crypto.stripe_index_reused")
    }

    @Test func keysAreCheckedAndNeverPrinted() throws {
        #expect(throws: StripeCipherError.badKeyLength(what: "stripe key", expected: 32, got: 31)) {
            try StripeKey(key: [UInt8](repeating: 1, count: 31), noncePrefix: [UInt8](repeating: 2, count: 8))
        }
        #expect(throws: StripeCipherError.badKeyLength(what: "nonce prefix", expected: 8, got: 12)) {
            try StripeDecryptor(key: [UInt8](repeating: 1, count: 32), noncePrefix: [UInt8](repeating: 2, count: 12))
        }
        let key = StripeCipher.random().stripeKey
        #expect(!"\(key)".contains(Hex.encode(key.key)))
        #expect(!String(describing: key).contains("\(key.key)"))
        #expect(throws: StripeCipherError.stripeTooSmall(stripeLength: 15, plaintextLength: -1)) {
            try StripeDecryptor(key: key).open([UInt8](repeating: 0, count: 15), index: 0)
        }
        let codes = [
            StripeCipherError.authenticationFailed(stripeIndex: 0), .stripeIndexNotIncreasing(index: 0, next: 1),
            .stripeIndexOutOfRange(index: -1), .stripeTooSmall(stripeLength: 0, plaintextLength: 0),
            .badKeyLength(what: "", expected: 0, got: 1),
        ].map(\.code)
        #expect(Set(codes).count == codes.count && codes.allSatisfy { $0.hasPrefix("crypto.") })
    }
}
