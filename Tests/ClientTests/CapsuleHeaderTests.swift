import Client
import Merkle
import StorageProtocol
import Testing

/// docs/PROTOCOL.md sections 10.4 and 10.12: the version-2 encryption header, its test vector, and who
/// can open it.
@Suite struct CapsuleHeaderTests {
    static let owner = try! SigningKey(seed: SHA256.hash(Array("blobnet test owner".utf8)).bytes)
    static let reader = try! SigningKey(seed: SHA256.hash(Array("blobnet test reader".utf8)).bytes)
    static let key = try! StripeKey(
        key: SHA256.hash(Array("blobnet test file key".utf8)).bytes,
        noncePrefix: SHA256.hash(Array("blobnet test nonce".utf8)).bytes.prefix(8))

    static func scalar(_ text: String) -> RistrettoScalar {
        RistrettoScalar.derived(tag: ProxyReencryption.shareScalarTag, Array(text.utf8))
    }

    @Test func protocolTestVector() throws {
        let header = EncryptionHeader.seal(
            Self.key, owner: Self.owner.shareKey, capsuleScalar: Self.scalar("blobnet test r"))
        #expect(
            Hex.encode(header.bytes)
                == "02e460f93da3ebb81ef79205d185f66bc775e0c6e82fdf4d8aa472701dd1bd4861d6e5fa958ab99c63be6763906a344ee8f109ad83e7c95c72a2806553e5ec05c1bb75402430ceb9a680e62054c026aa6c5a18bb7fe2fb30b8"
        )
        #expect(try header.unwrap(owner: Self.owner) == Self.key)
        let rk = ProxyReencryption.reencryptionKey(
            owner: Self.owner.shareScalar, reader: Self.reader.shareKey, ephemeral: Self.scalar("blobnet test x"))
        let transformed = TransformedCapsule(
            e: ProxyReencryption.transform(try #require(header.capsule), with: rk.key), x: rk.ephemeral)
        #expect(transformed.e == "262b42b4d835903056fe9d3f7d690fc991afeff05ad046c1b3515bf95924ce35")
        #expect(try header.open(transformed: transformed, reader: Self.reader) == Self.key)
    }

    @Test func aCapsuleOpensOnlyForTheOwnerAndTheReaderItWasTransformedFor() throws {
        let header = EncryptionHeader.seal(Self.key, owner: Self.owner.shareKey)
        #expect(header.bytes.count == EncryptionHeader.capsuleByteCount)
        #expect(try header.unwrap(owner: Self.owner) == Self.key)
        #expect(throws: ClientError.self) { try header.unwrap(owner: SigningKey.generate()) }
        let rk = ProxyReencryption.reencryptionKey(owner: Self.owner.shareScalar, reader: Self.reader.shareKey)
        let transformed = TransformedCapsule(
            e: ProxyReencryption.transform(try #require(header.capsule), with: rk.key), x: rk.ephemeral)
        #expect(try header.open(transformed: transformed, reader: Self.reader) == Self.key)
        #expect(throws: ClientError.self) { try header.open(transformed: transformed, reader: SigningKey.generate()) }
        // Malformed capsules from a blobber are refused, never mistaken for a key.
        #expect(throws: ClientError.self) {
            try header.open(
                transformed: TransformedCapsule(e: RistrettoScalar.random().point, x: rk.ephemeral), reader: Self.reader
            )
        }
        var bad = transformed
        bad.e = String(repeating: "0", count: 64)
        #expect(throws: ClientError.self) { try header.open(transformed: bad, reader: Self.reader) }
        for position in [0, 1, 40, 80, 88] {
            var altered = header.bytes
            altered[position] ^= 0x01
            #expect(throws: ClientError.self) { try EncryptionHeader(bytes: altered).unwrap(owner: Self.owner) }
        }
    }
}
