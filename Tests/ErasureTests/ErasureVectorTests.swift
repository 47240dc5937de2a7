import Testing

@testable import Erasure

/// The test vectors printed in docs/PROTOCOL.md section 5, section "Test vectors"; a change here is a
/// protocol change.
@Suite struct ErasureVectorTests {
    /// 2+1: the 8 ASCII bytes "blobnet!" → data shards "blob", "net!"; parity row [8e f4].
    @Test func twoPlusOne() throws {
        let coder = try ErasureCoder(dataShards: 2, parityShards: 1)
        #expect(coder.matrix.coefficients == [0x01, 0x00, 0x00, 0x01, 0x8e, 0xf4])
        let stripe = Array("blobnet!".utf8)
        let data = [Array(stripe[0..<4]), Array(stripe[4..<8])]
        #expect(try coder.encode(data).map(hex) == ["e015952e"])
    }

    /// 4+2: the 16 bytes 00 01 … 0f → 4-byte data shards; parity rows [47 a7 7a ba] and [a7 47 ba 7a].
    @Test func fourPlusTwo() throws {
        let coder = try ErasureCoder(dataShards: 4, parityShards: 2)
        #expect(Array(coder.matrix.coefficients[16...]) == [0x47, 0xa7, 0x7a, 0xba, 0xa7, 0x47, 0xba, 0x7a])
        let stripe = (0..<16).map(UInt8.init)
        let data = (0..<4).map { Array(stripe[($0 * 4)..<($0 * 4 + 4)]) }
        let parity = try coder.encode(data)
        #expect(parity.map(hex) == ["3a1a7a5a", "ba9afada"])
        // Losing data shards 0 and 1 still gives back the stripe.
        var shards: [[UInt8]?] = [nil, nil, data[2], data[3], parity[0], parity[1]]
        try coder.reconstruct(shards: &shards)
        #expect(shards.prefix(4).flatMap { $0 ?? [] } == stripe)
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}
