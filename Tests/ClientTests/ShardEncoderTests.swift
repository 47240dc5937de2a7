import Client
import Erasure
import Merkle
import StorageProtocol
import TestProcesses
import NIOCore
import Testing

/// The upload pipeline's encode stage on real data through real ISA-L and OpenSSL.
@Suite struct ShardEncoderTests {
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    /// Encodes `data` in batches of `batch` plaintext bytes (whole stripes).
    static func encode(_ data: [UInt8], k: Int, m: Int, encrypt: Bool, batchStripes: Int) throws
        -> (encoder: ShardEncoder, shards: [[UInt8]])
    {
        let encoder = ShardEncoder(coder: try ErasureCoder(dataShards: k, parityShards: m), encrypt: encrypt)
        var shards = [ByteBuffer](repeating: ByteBuffer(), count: k + m)
        let batch = encoder.plaintextPerStripe * batchStripes
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let end = min(offset + batch, raw.count)
                try encoder.encode(plaintext: UnsafeRawBufferPointer(rebasing: raw[offset..<end]), into: &shards)
                offset = end
            }
        }
        return (encoder, shards.map { Array($0.readableBytesView) })
    }

    @Test(arguments: [(4, 2, 1), (4, 2, 3 * 4 * 65_536 + 17), (2, 1, 2 * 65_536), (10, 4, 1_000_003)])
    func shardsAreTheSpecifiedCode(k: Int, m: Int, size: Int) throws {
        let data = Self.bytes(size, seed: UInt64(size))
        let (encoder, shards) = try Self.encode(data, k: k, m: m, encrypt: false, batchStripes: 2)
        let stripes = (size + k * 65_536 - 1) / (k * 65_536)
        #expect(shards.allSatisfy { $0.count == stripes * 65_536 })
        // Data shard j holds bytes [j·B, (j+1)·B) of every stripe; the padding is zeros.
        var rebuilt = [UInt8]()
        for stripe in 0..<stripes {
            for j in 0..<k { rebuilt += shards[j][(stripe * 65_536)..<((stripe + 1) * 65_536)] }
        }
        #expect(Array(rebuilt.prefix(size)) == data)
        #expect(rebuilt.dropFirst(size).allSatisfy { $0 == 0 })
        // Parity is what the coder computes, and any k shards give the rest back.
        let coder = try ErasureCoder(dataShards: k, parityShards: m)
        var partial: [[UInt8]?] = shards.map { $0 }
        for lost in 0..<m { partial[lost] = nil }
        try coder.reconstruct(shards: &partial)
        #expect(partial.map { $0! } == shards)
        // Every tree is the shard tree of its shard, and the content hash is H(file).
        for index in shards.indices {
            var builder = ShardTreeBuilder()
            builder.append(shards[index])
            #expect(encoder.trees[index].finish().root == builder.finish().root)
        }
        #expect(encoder.contentHash == SHA256.hash(data))
        #expect(encoder.plaintextBytes == UInt64(size))
    }

    @Test func batchSizeDoesNotChangeTheShards() throws {
        let data = Self.bytes(9 * 4 * 65_536 + 5, seed: 7)
        let one = try Self.encode(data, k: 4, m: 2, encrypt: false, batchStripes: 1)
        let many = try Self.encode(data, k: 4, m: 2, encrypt: false, batchStripes: 16)
        #expect(one.shards == many.shards)
        #expect(one.encoder.trees.map { $0.finish().root } == many.encoder.trees.map { $0.finish().root })
    }

    @Test func encryptedStripesOpenWithTheWrappedKey() throws {
        let owner = SigningKey.generate()
        let data = Self.bytes(2 * (4 * 65_536 - 16) + 100, seed: 3)
        let (encoder, shards) = try Self.encode(data, k: 4, m: 2, encrypt: true, batchStripes: 1)
        let key = try #require(encoder.stripeKey)
        #expect(shards[0].count == 3 * 65_536)  // 3 stripes of 262 128 plaintext bytes
        // No plaintext stripe appears in the data shards.
        #expect(Array(shards[0].prefix(64)) != Array(data.prefix(64)))
        let header = EncryptionHeader.wrap(key, owner: owner)
        let unwrapped = try header.unwrap(owner: owner)
        #expect(unwrapped == key)
        let decryptor = StripeDecryptor(key: unwrapped)
        var plaintext = [UInt8]()
        let per = 4 * 65_536 - 16
        for stripe in 0..<3 {
            var sealed = [UInt8]()
            for j in 0..<4 { sealed += shards[j][(stripe * 65_536)..<((stripe + 1) * 65_536)] }
            let length = min(per, data.count - stripe * per)
            plaintext += try decryptor.open(Array(sealed.prefix(length + 16)), index: stripe)
        }
        #expect(plaintext == data)
        #expect(encoder.contentHash == SHA256.hash(data))
    }

    @Test func wrappedKeysOpenOnlyForTheirOwnerAndUnaltered() throws {
        let owner = SigningKey.generate()
        let (encoder, _) = try Self.encode([1, 2, 3], k: 2, m: 1, encrypt: true, batchStripes: 1)
        let header = EncryptionHeader.wrap(try #require(encoder.stripeKey), owner: owner)
        #expect(header.bytes.count == EncryptionHeader.byteCount)
        #expect(throws: ClientError.self) { try header.unwrap(owner: SigningKey.generate()) }
        for position in [0, 1, 20, 60, 72] {
            var altered = header.bytes
            altered[position] ^= 0x01
            #expect(throws: ClientError.self) { try EncryptionHeader(bytes: altered).unwrap(owner: owner) }
        }
    }
}
