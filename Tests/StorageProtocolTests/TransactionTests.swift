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
