import Merkle
import StorageProtocol
import Testing

/// RFC 8032 section 7.1, tests 1-3 and the SHA(abc) test.
struct RFC8032Vector: Sendable, CustomTestStringConvertible {
    let name: String
    let secret: String
    let publicKey: String
    let message: String
    let signature: String
    var testDescription: String { name }
}

let rfc8032Vectors = [
    RFC8032Vector(
        name: "TEST 1",
        secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        message: "",
        signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    ),
    RFC8032Vector(
        name: "TEST 2",
        secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        message: "72",
        signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
    ),
    RFC8032Vector(
        name: "TEST 3",
        secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        message: "af82",
        signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
    ),
]

@Suite struct Ed25519Tests {
    @Test(arguments: rfc8032Vectors)
    func rfc8032(vector: RFC8032Vector) throws {
        let key = try SigningKey(seed: try #require(Hex.decode(vector.secret)))
        #expect(key.publicKey.hex == vector.publicKey)
        let message = try #require(Hex.decode(vector.message))
        let signature = key.signature(for: message)
        #expect(signature.hex == vector.signature)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        // Any flipped bit in message or signature fails.
        var forged = signature.bytes
        forged[7] ^= 0x01
        #expect(!key.publicKey.isValidSignature(try Signature(bytes: forged), for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: message + [0]))
    }

    @Test func idIsHashOfPublicKey() throws {
        let key = SigningKey.generate()
        #expect(key.id == SHA256.hash(key.publicKey.bytes))
        #expect(key.publicKey.clientID.hash == key.id)
        let other = SigningKey.generate()
        #expect(other.id != key.id)
        let hash = SHA256.hash(Array("object".utf8))
        let signature = key.signature(over: hash)
        #expect(key.publicKey.isValidSignature(signature, over: hash))
        #expect(!other.publicKey.isValidSignature(signature, over: hash))
    }

    @Test func malformedKeysAreRefused() {
        #expect(throws: KeyError.badLength(what: "secret seed", expected: 32, got: 31)) {
            try SigningKey(seed: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: KeyError.notHex(what: "public key")) { try PublicKey(hex: "xyz") }
        #expect(throws: KeyError.badLength(what: "signature", expected: 64, got: 2)) { try Signature(hex: "abcd") }
    }
}
