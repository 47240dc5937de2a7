import Merkle
import StorageProtocol
import Testing

/// docs/PROTOCOL.md section 10.12: ristretto255 proxy re-encryption, its test vector and its refusals
/// of hostile points and scalars.
@Suite struct ProxyReencryptionTests {
    static func scalar(_ text: String) -> RistrettoScalar {
        RistrettoScalar.derived(tag: ProxyReencryption.shareScalarTag, Array(text.utf8))
    }

    @Test func protocolTestVector() throws {
        let owner = try SigningKey(seed: SHA256.hash(Array("blobnet test owner".utf8)).bytes)
        let reader = try SigningKey(seed: SHA256.hash(Array("blobnet test reader".utf8)).bytes)
        #expect(owner.shareScalar.hex == "9c4503e94d5f6ec799d442e150fc4812c8ed4de9c19f99ef447a05bc9fac2f09")
        #expect(owner.shareKey.hex == "16b5d5c7441ff7cef8629f6b061a16f0c8d327747df5f6bae8deeef8b93dc463")
        #expect(reader.shareScalar.hex == "6f113688c93325706f5cfe5fa3b081d2e48c881643b28d33658baf9d7ac89d09")
        #expect(reader.shareKey.hex == "2e105262f06c1717ac7bdabb45460ce90fe783066b64020617d046898168f44f")
        let r = Self.scalar("blobnet test r")
        #expect(r.hex == "0af78c5069174a609db411bf874d7b32caebb37655293e97977275db82ab0104")
        let capsule = r.point
        #expect(capsule.hex == "e460f93da3ebb81ef79205d185f66bc775e0c6e82fdf4d8aa472701dd1bd4861")
        let shared = try #require(owner.shareKey.times(r))
        #expect(shared.hex == "68e162bc42496a0eb862e8e7b8067d4322560e4f8d933f73c8e0707c01383b42")
        #expect(capsule.times(owner.shareScalar) == shared)
        #expect(
            ProxyReencryption.capsuleKey(capsule: capsule, shared: shared).hex
                == "381fde1702f074874a5cb1c3fd0dbaa25e1187ca2699dbd8fd739290fe943f45")
        let x = Self.scalar("blobnet test x")
        #expect(x.hex == "7a918b5d7bb36b4b6d50b575d5eb099b12db7eb297a75fcb35cac45a311aac02")
        let key = ProxyReencryption.reencryptionKey(owner: owner.shareScalar, reader: reader.shareKey, ephemeral: x)
        #expect(key.ephemeral.hex == "2cb6a762efdd24a6869e861a1eed0575e1a044f35c03d2d6479daacf51cef928")
        #expect(key.key.hex == "4074ef51a87ac9d6dae67a0f8a4f2257aac95e32d89c1b219a273ef8fab0c909")
        let transformed = ProxyReencryption.transform(capsule, with: key.key)
        #expect(transformed.hex == "262b42b4d835903056fe9d3f7d690fc991afeff05ad046c1b3515bf95924ce35")
        #expect(
            ProxyReencryption.shared(transformed: transformed, ephemeral: key.ephemeral, reader: reader.shareScalar)
                == shared)
    }

    @Test func aTransformedCapsuleOpensOnlyForItsReader() {
        let owner = RistrettoScalar.random()
        let reader = RistrettoScalar.random()
        let other = RistrettoScalar.random()
        let capsule = RistrettoScalar.random().point
        let shared = capsule.times(owner)
        let key = ProxyReencryption.reencryptionKey(owner: owner, reader: reader.point)
        let transformed = ProxyReencryption.transform(capsule, with: key.key)
        #expect(ProxyReencryption.shared(transformed: transformed, ephemeral: key.ephemeral, reader: reader) == shared)
        #expect(ProxyReencryption.shared(transformed: transformed, ephemeral: key.ephemeral, reader: other) != shared)
        // The untransformed capsule is of no use to the reader either.
        #expect(ProxyReencryption.shared(transformed: capsule, ephemeral: key.ephemeral, reader: reader) != shared)
    }

    @Test func hostilePointsAndScalarsAreRefusedWhenParsed() {
        // The identity, a non-canonical encoding (the field prime p = 2^255 − 19), a wrong length, not hex.
        #expect(RistrettoPoint(bytes: [UInt8](repeating: 0, count: 32)) == nil)
        let p = [0xed] + [UInt8](repeating: 0xff, count: 30) + [0x7f]
        #expect(RistrettoPoint(bytes: p) == nil)
        #expect(RistrettoPoint(bytes: [UInt8](repeating: 1, count: 31)) == nil)
        #expect(RistrettoPoint(hex: "zz") == nil)
        // Zero, L itself (not canonical), 2^256 − 1, a wrong length.
        #expect(RistrettoScalar(canonical: [UInt8](repeating: 0, count: 32)) == nil)
        let order = Hex.decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")!
        #expect(RistrettoScalar(canonical: order) == nil)
        #expect(RistrettoScalar(canonical: [UInt8](repeating: 0xff, count: 32)) == nil)
        #expect(RistrettoScalar(canonical: [UInt8](repeating: 1, count: 31)) == nil)
        var belowOrder = order
        belowOrder[0] -= 1
        #expect(RistrettoScalar(canonical: belowOrder) != nil)
    }
}
