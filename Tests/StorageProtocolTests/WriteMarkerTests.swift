import Foundation
import Merkle
import PropertyBased
import StorageProtocol
import Testing

/// The marker test vector of docs/PROTOCOL.md ("Write marker").
enum MarkerVector {
    static let ownerSeed = SHA256.hash(Array("blobnet test owner".utf8))
    static var owner: SigningKey { try! SigningKey(seed: ownerSeed.bytes) }
    static var marker: WriteMarker {
        let root = SHA256.hash(Array("root1".utf8))
        return WriteMarker(
            allocationID: AllocationID(SHA256.hash(Array("allocation".utf8))),
            blobberID: BlobberID(SHA256.hash(Array("blobber".utf8))),
            clientID: owner.publicKey.clientID,
            sequence: 1,
            allocationRoot: root,
            previousAllocationRoot: .zero,
            fileMetaRoot: SHA256.hash(Array("meta1".utf8)),
            size: 65536,
            chainSize: 65536,
            chainHash: WriteMarker.chainHash(previous: nil, root: root),
            timestamp: 1_700_000_000_000)
    }

    static let ownerPublicKey = "965521e3a38ce5cf87e0a518d7f930e8c93dff503d90ed7dee1ead6455215eb1"
    static let canonicalBytes = 
        "20165f0f8e557c430929784035df7eeacf7a3ff795f10d76c8707409bba31cb617e1c6ab906777b6c1c25fd1515eb6ea0d15b60fbe0e56cfbc6a25230566e65cb31fea5524d9349bdaa791238e05d441f16d44c5fcd3bca22bc78f11095d345bca00000000000000013de0c6d1959ece558ec030f37292e383a9c95f497e8235b89701b914be9bd1fb00000000000000000000000000000000000000000000000000000000000000004a29ebb7b2af76679028ff9bd41fa145e10df1c2f45a31aa09b73f538a202ccb00000000000100000000000000010000412d3751c261387fa019950d115e41eb0e043ef446e9d3d50a37396874e327cd0000018bcfe56800"
    static let hash = "4c57909adf2a563a425251d7c7de1dc932d66bfdb4b97ff58fa752ad7d050c6e"
    static let signature = 
        "3b5ef15e612eaa4b9560aca7f914397085222dd68fe309cc4401afff7d945e2d775dd227064a810cef5b3abab9b31912e5aebc7694a7ffa656524ca6f35cf40c"
}

/// Builds a valid chain of `count` markers signed by `owner`.
func makeChain(owner: SigningKey, count: Int, start: Int64 = 1_700_000_000_000) -> [WriteMarker] {
    var head = MarkerChainHead.genesis
    var markers = [WriteMarker]()
    for index in 0..<count {
        let root = SHA256.hash(Array("root-\(index)".utf8))
        let size: Int64 = index % 3 == 2 ? -100 : 1000
        let marker = WriteMarker(
            allocationID: AllocationID(SHA256.hash(Array("allocation".utf8))),
            blobberID: BlobberID(SHA256.hash(Array("blobber".utf8))),
            clientID: owner.publicKey.clientID, sequence: head.sequence + 1, allocationRoot: root,
            previousAllocationRoot: head.allocationRoot, fileMetaRoot: SHA256.hash(Array("meta-\(index)".utf8)),
            size: size, chainSize: UInt64(Int64(head.chainSize) + size),
            chainHash: WriteMarker.chainHash(previous: head.chainHash, root: root), timestamp: start + Int64(index)
        ).signed(with: owner)
        markers.append(marker)
        head = marker.head
    }
    return markers
}

@Suite struct WriteMarkerTests {
    @Test func protocolTestVector() throws {
        let owner = MarkerVector.owner
        #expect(owner.publicKey.hex == MarkerVector.ownerPublicKey)
        let marker = MarkerVector.marker.signed(with: owner)
        #expect(marker.canonicalBytes.count == WriteMarker.canonicalByteCount)
        #expect(Hex.encode(marker.canonicalBytes) == MarkerVector.canonicalBytes)
        #expect(marker.hash == SHA256.hash(marker.canonicalBytes))
        #expect(marker.hash.hex == MarkerVector.hash)
        #expect(marker.signature?.hex == MarkerVector.signature)
        try marker.verifySignature(owner: owner.publicKey)
        try marker.verifyLink(from: .genesis, capacity: 1 << 20)
    }

    @Test func jsonRoundTrip() throws {
        let marker = MarkerVector.marker.signed(with: MarkerVector.owner)
        let data = try JSONEncoder().encode(marker)
        let decoded = try JSONDecoder().decode(WriteMarker.self, from: data)
        #expect(decoded == marker)
        try decoded.verifySignature(owner: MarkerVector.owner.publicKey)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"previous_allocation_root\""))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(WriteMarker.self, from: Data(text.replacingOccurrences(of: "\"sequence\":1", with: "\"sequence\":\"x\"").utf8))
        }
    }

    /// Changing any one field after signing breaks the signature.
    @Test func everyFieldIsSigned() async throws {
        let owner = MarkerVector.owner
        let signed = MarkerVector.marker.signed(with: owner)
        let mutations: [(inout WriteMarker) -> Void] = [
            { $0.allocationID = AllocationID(SHA256.hash([1])) },
            { $0.blobberID = BlobberID(SHA256.hash([2])) },
            { $0.sequence += 1 },
            { $0.allocationRoot = SHA256.hash([3]) },
            { $0.previousAllocationRoot = SHA256.hash([4]) },
            { $0.fileMetaRoot = SHA256.hash([5]) },
            { $0.size -= 1 },
            { $0.chainSize += 1 },
            { $0.chainHash = SHA256.hash([6]) },
            { $0.timestamp += 1 },
        ]
        for mutate in mutations {
            var forged = signed
            mutate(&forged)
            #expect(forged.hash != signed.hash)
            #expect(throws: MarkerError.badSignature(blobber: forged.blobberID)) {
                try forged.verifySignature(owner: owner.publicKey)
            }
        }
        // A client id change is caught before the signature.
        var otherClient = signed
        otherClient.clientID = SigningKey.generate().publicKey.clientID
        #expect(throws: MarkerError.wrongClient(expected: owner.publicKey.clientID, got: otherClient.clientID)) {
            try otherClient.verifySignature(owner: owner.publicKey)
        }
        // Signed by somebody else.
        let stranger = SigningKey.generate()
        var strangers = MarkerVector.marker
        strangers.clientID = stranger.publicKey.clientID
        strangers.sign(with: stranger)
        strangers.clientID = owner.publicKey.clientID
        #expect(throws: MarkerError.badSignature(blobber: strangers.blobberID)) {
            try strangers.verifySignature(owner: owner.publicKey)
        }
        var unsigned = signed
        unsigned.signature = nil
        #expect(throws: MarkerError.missingSignature) { try unsigned.verifySignature(owner: owner.publicKey) }
    }

    @Test func randomBitFlipsInTheSignatureFail() async throws {
        let owner = MarkerVector.owner
        let signed = MarkerVector.marker.signed(with: owner)
        await propertyCheck(count: 200, input: Gen.int(in: 0...511)) { bit in
            var bytes = signed.signature!.bytes
            bytes[bit / 8] ^= UInt8(1 << (bit % 8))
            var forged = signed
            forged.signature = try! Signature(bytes: bytes)
            #expect(throws: MarkerError.self) { try forged.verifySignature(owner: owner.publicKey) }
        }
    }

    @Test func aValidChainLinks() throws {
        let owner = SigningKey.generate()
        var head = MarkerChainHead.genesis
        for marker in makeChain(owner: owner, count: 50) {
            try marker.verifySignature(owner: owner.publicKey)
            try marker.verifyLink(from: head, capacity: 1 << 30)
            head = marker.head
        }
        #expect(head.sequence == 50)
    }

    @Test func brokenLinksAreRefusedWithTheirCode() throws {
        let owner = SigningKey.generate()
        let chain = makeChain(owner: owner, count: 3)
        let head = chain[0].head
        var next = chain[1]
        #expect(throws: MarkerError.sequenceGap(expected: 1, got: 2)) { try next.verifyLink(from: .genesis, capacity: 1 << 30) }

        next.sequence = 3
        #expect(throws: MarkerError.sequenceGap(expected: 2, got: 3)) { try next.verifyLink(from: head, capacity: 1 << 30) }

        next = chain[1]
        next.previousAllocationRoot = .zero
        #expect(throws: MarkerError.wrongPreviousRoot(expected: head.allocationRoot, got: .zero)) {
            try next.verifyLink(from: head, capacity: 1 << 30)
        }

        next = chain[1]
        next.chainHash = WriteMarker.chainHash(previous: nil, root: next.allocationRoot)
        #expect(throws: MarkerError.self) { try next.verifyLink(from: head, capacity: 1 << 30) }

        next = chain[1]
        next.chainSize += 1
        #expect(throws: MarkerError.chainSizeMismatch(expected: 2000, got: 2001)) {
            try next.verifyLink(from: head, capacity: 1 << 30)
        }

        next = chain[1]
        #expect(throws: MarkerError.capacityExceeded(chainSize: 2000, capacity: 1999)) {
            try next.verifyLink(from: head, capacity: 1999)
        }

        next = chain[1]
        next.size = -5000
        next.chainSize = 0
        #expect(throws: MarkerError.negativeChainSize(previous: 1000, delta: -5000)) {
            try next.verifyLink(from: head, capacity: 1 << 30)
        }

        next = chain[1]
        next.size = .max
        #expect(throws: MarkerError.chainSizeOverflow) { try next.verifyLink(from: head, capacity: .max) }

        next = chain[1]
        next.timestamp = head.timestamp - 1
        #expect(throws: MarkerError.timestampBackwards(previous: head.timestamp, got: head.timestamp - 1)) {
            try next.verifyLink(from: head, capacity: 1 << 30)
        }
    }
}
