import Merkle
import Testing

@Suite struct HashTests {
    @Test func sha256KnownAnswers() {
        // FIPS 180-2 examples.
        #expect(SHA256.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var incremental = SHA256()
        for byte in "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8 { incremental.update(byte: byte) }
        #expect(incremental.finalize().hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func hexRoundTripAndBits() throws {
        let hash = try #require(Hash(hex: "80" + String(repeating: "0", count: 60) + "01"))
        #expect(hash.bit(0) == 1)
        #expect(hash.bit(1) == 0)
        #expect(hash.bit(255) == 1)
        #expect(Hash(hex: hash.hex) == hash)
        #expect(Hash(hex: "zz") == nil)
        #expect(Hash(hex: String(repeating: "0", count: 62)) == nil)
        #expect(hash.firstDifferingBit(from: .zero) == 0)
        #expect(hash.firstDifferingBit(from: hash) == nil)
        let other = try #require(Hash(hex: "80" + String(repeating: "0", count: 62)))
        #expect(hash.firstDifferingBit(from: other) == 255)
        #expect(other < hash)
        #expect(hash.leadingUInt64 == 0x8000_0000_0000_0000)
    }
}
