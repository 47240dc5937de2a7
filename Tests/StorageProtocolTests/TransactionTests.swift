import Foundation
import Merkle
import StorageProtocol
import Testing

/// The transaction test vector of docs/PROTOCOL.md section 7 ("Test vector").
enum TransactionVector {
    static let seed = SHA256.hash(Array("blobnet ledger test key".utf8))
    static var key: SigningKey { try! SigningKey(seed: seed.bytes) }
    static let payload =
        #"{"capacity":1073741824,"read_price":100,"region":"eu","stake":5000,"url":"http://127.0.0.1:9001","write_price":10000000}"#
    static var transaction: LedgerTransaction {
        LedgerTransaction(
            kind: .registerBlobber, publicKey: key.publicKey, nonce: 7, timestamp: 1_700_000_000_000, payload: payload)
    }

    static let publicKey = "35c754a82c48d729a573af3ffb011500116ee5b586b3509d16ba3620bbfef390"
    static let canonicalBytes = 
        "300000001072656769737465725f626c6f6262657235c754a82c48d729a573af3ffb011500116ee5b586b3509d16ba3620bbfef39000000000000000070000018bcfe56800000000787b226361706163697479223a313037333734313832342c22726561645f7072696365223a3130302c22726567696f6e223a226575222c227374616b65223a353030302c2275726c223a22687474703a2f2f3132372e302e302e313a39303031222c2277726974655f7072696365223a31303030303030307d"
    static let hash = "379d63955b0a96fcccd3ccd68bffb9799c9665a8640ca5f25367f121dc39e844"
    static let signature = 
        "6702e845198cfff87e2aeaa0c5823bbbe848438170c40616eae27bf1d64aaefbba9d84082cb302c380a2fbbd8f8086b61e22ca0d570fde143c4d60c956626a06"
}

@Suite struct TransactionTests {
    @Test func protocolTestVector() throws {
        let tx = TransactionVector.transaction.signed(with: TransactionVector.key)
        #expect(tx.publicKey.hex == TransactionVector.publicKey)
        #expect(Hex.encode(tx.canonicalBytes) == TransactionVector.canonicalBytes)
        #expect(tx.hash.hex == TransactionVector.hash)
        #expect(tx.signature?.hex == TransactionVector.signature)
        #expect(SHA256.hash(tx.canonicalBytes) == tx.hash)
        try tx.verifySignature()
    }

    /// The allocation-change vectors of docs/PROTOCOL.md 7.2 (computed independently with Python's
    /// `cryptography` package): same key, nonce 8, timestamp 1700000000000.
    @Test func allocationChangeVectors() throws {
        let allocation = SHA256.hash(Array("allocation".utf8)).hex
        let from = SHA256.hash(Array("blobber-1".utf8)).hex
        let to = SHA256.hash(Array("blobber-3".utf8)).hex
        let update =
            #"{"allocation_id":"\#(allocation)","expiry":1700086400000,"replace":{"from":"\#(from)","to":"\#(to)"},"size":2147483648,"write_pool":5000000}"#
        let cancel = #"{"allocation_id":"\#(allocation)"}"#
        let ticket = SHA256.hash(Array("ticket".utf8)).hex
        let revoke = #"{"allocation_id":"\#(allocation)","ticket_hash":"\#(ticket)"}"#
        let cases: [(TransactionKind, String, String, String)] = [
            (
                .updateAllocation, update, "2abcc74f07dc671be4d8841bb4fd7cbf63581c5998e963f3876aae9b09f654da",
                "e0848fc8f3df594f369bef15a1ecbd7a39c667dcffc5e7c336b555ac502e04940e8b4f6944ffa4d0864ef43891f0d492c4be56820fddf83821d5ebeeed492300"
            ),
            (
                .cancelAllocation, cancel, "17ebdae90ab91b940f231cf37a4547820158f2c2f80cdb4b4b957149fc9be8d8",
                "d0703565d76e9b955ab6f3d1d0e24de8f25cebd4ec976102b46a9acac87dfa67c0cfa6004fb8b2cad615edc986ef10e60117d6c52c4b577879b07c795ba6bb0b"
            ),
            (
                .revokeTicket, revoke, "3ddfe35624a402b9215a0a76dbc7b00300e6c2945eefc6df268448ac861f4237",
                "72326d49e04137ddd6846e3186919688153fe7c90cfa4c3e0e5719d32ece55383f61b6d4dad70a5d3a9a3d50d21153dbddb5c8715d9b77e40b3478b88d18d00f"
            ),
        ]
        for (kind, payload, hash, signature) in cases {
            let tx = LedgerTransaction(
                kind: kind, publicKey: TransactionVector.key.publicKey, nonce: 8, timestamp: 1_700_000_000_000,
                payload: payload
            ).signed(with: TransactionVector.key)
            #expect(tx.hash.hex == hash, "\(kind.rawValue)")
            #expect(tx.signature?.hex == signature, "\(kind.rawValue)")
        }
        let decoded = try LedgerTransaction(
            kind: .updateAllocation, publicKey: TransactionVector.key.publicKey, nonce: 8, timestamp: 1_700_000_000_000,
            payload: update
        ).decodePayload(as: UpdateAllocationPayload.self)
        #expect(decoded.allocationID.hex == allocation && decoded.expiry == 1_700_086_400_000)
        #expect(decoded.size == 1 << 31 && decoded.writePool == 5_000_000 && decoded.addBlobber == nil)
        #expect(decoded.replace == BlobberReplacement(from: BlobberID(hex: from)!, to: BlobberID(hex: to)!))
    }

    /// The `peg` vector of docs/PROTOCOL.md 7.2 (computed independently with Python's `cryptography`
    /// package): same key, nonce 9, timestamp 1700000000000, `hash = H("value")`,
    /// `uri = blobnet://H("allocation")/.kv/readings/today`. The payload `TransactionCoding` encodes for
    /// `PegPayload` is these exact bytes, and they decode back to it.
    @Test func pegVector() throws {
        let allocation = SHA256.hash(Array("allocation".utf8)).hex
        let value = SHA256.hash(Array("value".utf8))
        let uri = "blobnet://\(allocation)/.kv/readings/today"
        let payload = #"{"hash":"\#(value.hex)","uri":"\#(uri)"}"#
        #expect(TransactionCoding.encodeText(PegPayload(hash: value, uri: uri)) == payload)
        let tx = LedgerTransaction.make(
            .peg, payload: PegPayload(hash: value, uri: uri), key: TransactionVector.key, nonce: 9,
            timestamp: 1_700_000_000_000)
        #expect(tx.payload == payload)
        #expect(
            Hex.encode(tx.canonicalBytes)
                == "300000000370656735c754a82c48d729a573af3ffb011500116ee5b586b3509d16ba3620bbfef39000000000000000090000018bcfe56800000000b17b2268617368223a2263643432343034643532616435356363666139616361346164633832386161353830306164396433383561303637316662636266373234313138333230363139222c22757269223a22626c6f626e65743a2f2f313635663066386535353763343330393239373834303335646637656561636637613366663739356631306437366338373037343039626261333163623631372f2e6b762f72656164696e67732f746f646179227d"
        )
        #expect(tx.hash.hex == "2c91c0f337a550d61c32b772f0372d52a7cea26ba1fbac3466288cdc8500b0ce")
        #expect(
            tx.signature?.hex
                == "4037e3a3cfbe40642f69ff843d50c1bfd7d4e8d3cbca3f4bed82a74323d14c0453d37df36eb9903d5cc213cb409826b114d493ebd7673f3b6f941b1c4c45cb04"
        )
        try tx.verifySignature()
        #expect(try tx.decodePayload(as: PegPayload.self) == PegPayload(hash: value, uri: uri))
    }

    /// A peg's hash has one spelling (64 lowercase hex digits); its uri is 1...2048 bytes without NUL.
    @Test func pegPayloadIsStrict() throws {
        let value = SHA256.hash(Array("value".utf8))
        func decode(_ text: String) -> PegPayload? {
            try? TransactionCoding.decode(PegPayload.self, from: Array(text.utf8), what: "peg payload")
        }
        #expect(decode(#"{"hash":"\#(value.hex)","uri":"u"}"#) == PegPayload(hash: value, uri: "u"))
        let spellings = [value.hex.uppercased(), String(value.hex.dropLast()), value.hex + "0", ""]
        for bad in spellings + [String(repeating: "g", count: 64)] {
            #expect(decode(#"{"hash":"\#(bad)","uri":"u"}"#) == nil, "\(bad)")
        }
        #expect(decode(#"{"hash":"\#(value.hex)"}"#) == nil)
        #expect(decode(#"{"uri":"u"}"#) == nil)
        #expect(decode(#"{"hash":"\#(value.hex)","uri":7}"#) == nil)
        #expect(PegPayload(hash: value, uri: "").problem() != nil)
        #expect(PegPayload(hash: value, uri: "a\u{0}b").problem() != nil)
        #expect(PegPayload(hash: value, uri: String(repeating: "é", count: 1024)).problem() == nil)
        #expect(PegPayload(hash: value, uri: String(repeating: "é", count: 1024) + "x").problem() != nil)
    }

    @Test func envelopeJSONRoundTripKeepsPayloadBytes() throws {
        let tx = TransactionVector.transaction.signed(with: TransactionVector.key)
        let json = TransactionCoding.encode(tx)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains(#""kind":"register_blobber""#))
        #expect(text.contains(#""nonce":7"#))
        let decoded = try JSONDecoder().decode(LedgerTransaction.self, from: Data(json))
        #expect(decoded == tx)
        #expect(decoded.hash == tx.hash)
        let payload = try decoded.decodePayload(as: RegisterBlobberPayload.self)
        #expect(payload.capacity == 1 << 30)
        #expect(payload.writePrice == 10_000_000)
    }

    @Test(arguments: ["nonce", "timestamp", "payload", "kind", "signature"])
    func tamperingBreaksTheSignature(field: String) throws {
        var tx = TransactionVector.transaction.signed(with: TransactionVector.key)
        switch field {
        case "nonce": tx.nonce += 1
        case "timestamp": tx.timestamp += 1
        case "payload": tx.payload = tx.payload.replacingOccurrences(of: "5000", with: "5001")
        case "kind": tx.kind = .updateBlobber
        default: tx.signature = TransactionVector.key.signature(over: SHA256.hash([1, 2, 3]))
        }
        #expect(throws: TransactionError.badSignature) { try tx.verifySignature() }
    }

    @Test func unsignedAndMalformedPayloadsAreRefusedWithCodes() {
        let tx = TransactionVector.transaction
        #expect(throws: TransactionError.missingSignature) { try tx.verifySignature() }
        var broken = tx
        broken.payload = "{not json"
        do {
            _ = try broken.decodePayload(as: RegisterBlobberPayload.self)
            Issue.record("decoded a broken payload")
        } catch {
            #expect(error.code == "tx.malformed")
        }
    }

    @Test func costRounding() {
        #expect(Token.costRoundedUp(bytes: 1, pricePerGiB: 1) == 1)
        #expect(Token.costRoundedDown(bytes: 1, pricePerGiB: 1) == 0)
        #expect(Token.costRoundedUp(bytes: Token.gibibyte, pricePerGiB: 7) == 7)
        #expect(Token.costRoundedDown(bytes: 3 * Token.gibibyte / 2, pricePerGiB: 3) == 4)
        #expect(Token.costRoundedUp(bytes: 3 * Token.gibibyte / 2, pricePerGiB: 3) == 5)
        #expect(Token.costRoundedDown(bytes: .max, pricePerGiB: .max) == nil)
        #expect(Token.costRoundedDown(bytes: UInt64(Int64.max), pricePerGiB: 1 << 30) == UInt64(Int64.max))
    }
}
