import PropertyBased
import TestProcesses
import Testing

@testable import Erasure

@Suite struct ErasureEncodeTests {
    @Test(arguments: [(0, 1), (-1, 2), (1, -1), (200, 57), (256, 1), (0, 0)])
    func rejectsInvalidShapes(k: Int, m: Int) {
        #expect(throws: ErasureError.invalidShape(dataShards: k, parityShards: m)) {
            try ErasureCoder(dataShards: k, parityShards: m)
        }
        #expect(ErasureError.invalidShape(dataShards: k, parityShards: m).code == "erasure.invalid_shape")
    }

    @Test(arguments: [(1, 0), (1, 1), (32, 32), (255, 1), (128, 128), (1, 255)])
    func acceptsValidShapes(k: Int, m: Int) throws {
        let coder = try ErasureCoder(dataShards: k, parityShards: m)
        #expect(coder.dataShards == k && coder.parityShards == m && coder.totalShards == k + m)
    }

    /// ISA-L's `gf_gen_cauchy1_matrix` is what the protocol document defines: identity rows, then
    /// `1 / (i XOR j)` over 0x11d. Checked for every `k` and several totals, up to 256 shards.
    @Test func generatorMatrixIsTheCauchyDefinition() throws {
        for k in 1...40 {
            for m in [0, 1, 2, 3, 7, 32, 256 - k - 1, 256 - k] where m >= 0 && k + m <= 256 {
                let coder = try ErasureCoder(dataShards: k, parityShards: m)
                let expected = GF256Reference.cauchyMatrix(dataShards: k, totalShards: k + m).flatMap { $0 }
                #expect(coder.matrix.coefficients == expected, "\(k)+\(m)")
            }
        }
    }

    @Test func referenceFieldIsAField() {
        // 2 generates the multiplicative group of GF(2^8) under 0x11d: its powers hit all 255 nonzero
        // elements, which would not hold for a wrong reduction polynomial.
        var seen = Set<UInt8>()
        var power: UInt8 = 1
        for _ in 0..<255 {
            seen.insert(power)
            power = GF256Reference.multiply(power, 2)
        }
        #expect(seen.count == 255 && power == 1)
        #expect((1...255).allSatisfy { GF256Reference.multiply(UInt8($0), GF256Reference.inverses[$0]) == 1 })
    }

    @Test func parityMatchesReferenceMultiplication() async throws {
        await propertyCheck(
            count: 150, input: Gen.int(in: 1...16), Gen.int(in: 0...8), Gen.int(in: 0...300), Gen.uint64()
        ) { k, m, length, seed in
            recordingErrors {
                var random = TestBytes(seed: seed)
                let data = random.shards(k, length: length)
                let coder = try ErasureCoder(dataShards: k, parityShards: m)
                #expect(try coder.encode(data) == GF256Reference.parity(of: data, parityShards: m))
            }
        }
    }

    @Test(arguments: [(32, 32), (10, 4), (4, 2), (64, 64), (200, 56)])
    func parityMatchesReferenceForLargeShapes(k: Int, m: Int) throws {
        var random = TestBytes(seed: UInt64(k * 1000 + m))
        // Long enough for ISA-L's vector loops and an odd tail.
        let data = random.shards(k, length: 263)
        let coder = try ErasureCoder(dataShards: k, parityShards: m)
        #expect(try coder.encode(data) == GF256Reference.parity(of: data, parityShards: m))
    }

    /// The streaming entry points compute the same parity as the array convenience.
    @Test func pointerAndStripeEncodingAgree() async throws {
        await propertyCheck(
            count: 60, input: Gen.int(in: 1...12), Gen.int(in: 0...6), Gen.int(in: 0...2000), Gen.uint64()
        ) { k, m, length, seed in
            recordingErrors {
                var random = TestBytes(seed: seed)
                let data = random.shards(k, length: length)
                let coder = try ErasureCoder(dataShards: k, parityShards: m)
                let expected = try coder.encode(data)

                var parity = Array(repeating: [UInt8](repeating: 0xAA, count: length), count: m)
                try withMutableBuffers(&parity) { output in
                    try withReadBuffers(data) { input in try coder.encode(data: input, parity: output) }
                }
                #expect(parity == expected)

                var stripeParity = Array(repeating: [UInt8](repeating: 0x55, count: length), count: m)
                let stripe = data.flatMap { $0 }
                try withMutableBuffers(&stripeParity) { output in
                    try stripe.withUnsafeBytes { try coder.encode(stripe: $0, parity: output) }
                }
                #expect(stripeParity == expected)
            }
        }
    }

    @Test func rejectsWrongCountsAndLengthsWithoutWriting() throws {
        let coder = try ErasureCoder(dataShards: 3, parityShards: 2)
        let data: [[UInt8]] = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]

        #expect(throws: ErasureError.wrongShardCount(expected: 3, got: 2)) { try coder.encode(Array(data.prefix(2))) }
        #expect(throws: ErasureError.shardLengthMismatch(index: 2, expected: 4, got: 3)) {
            try coder.encode([data[0], data[1], [9, 10, 11]])
        }

        var parity: [[UInt8]] = [[0, 0, 0, 0], [0, 0, 0]]
        #expect(throws: ErasureError.shardLengthMismatch(index: 4, expected: 4, got: 3)) {
            try withMutableBuffers(&parity) { output in
                try withReadBuffers(data) { try coder.encode(data: $0, parity: output) }
            }
        }
        #expect(parity == [[0, 0, 0, 0], [0, 0, 0]])
        var oneParity: [[UInt8]] = [[0, 0, 0, 0]]
        #expect(throws: ErasureError.wrongShardCount(expected: 2, got: 1)) {
            try withMutableBuffers(&oneParity) { output in
                try withReadBuffers(data) { try coder.encode(data: $0, parity: output) }
            }
        }
        #expect(oneParity == [[0, 0, 0, 0]])

        var stripeParity: [[UInt8]] = [[0, 0, 0, 0], [0, 0, 0, 0]]
        let badStripe = [UInt8](repeating: 7, count: 13)
        #expect(throws: ErasureError.stripeLengthMismatch(stripeLength: 13, dataShards: 3, shardLength: 4)) {
            try withMutableBuffers(&stripeParity) { output in
                try badStripe.withUnsafeBytes { try coder.encode(stripe: $0, parity: output) }
            }
        }
        let longStripe = [UInt8](repeating: 7, count: 15)
        #expect(throws: ErasureError.shardLengthMismatch(index: 3, expected: 5, got: 4)) {
            try withMutableBuffers(&stripeParity) { output in
                try longStripe.withUnsafeBytes { try coder.encode(stripe: $0, parity: output) }
            }
        }
        #expect(stripeParity == [[0, 0, 0, 0], [0, 0, 0, 0]])
    }

    @Test func errorCodesAreStable() {
        let codes: [(ErasureError, String)] = [
            (.invalidShape(dataShards: 0, parityShards: 0), "erasure.invalid_shape"),
            (.wrongShardCount(expected: 1, got: 2), "erasure.wrong_shard_count"),
            (.shardLengthMismatch(index: 0, expected: 1, got: 2), "erasure.shard_length_mismatch"),
            (.stripeLengthMismatch(stripeLength: 1, dataShards: 2, shardLength: 0), "erasure.stripe_length_mismatch"),
            (.tooFewShards(present: 1, required: 2), "erasure.too_few_shards"),
            (.indexOutOfRange(index: 9, shardCount: 3), "erasure.index_out_of_range"),
            (.shardBothPresentAndMissing(index: 1), "erasure.shard_present_and_missing"),
            (.shardTooLarge(length: 1 << 40), "erasure.shard_too_large"),
        ]
        for (error, code) in codes {
            #expect(error.code == code)
            #expect(!error.description.isEmpty)
        }
        #expect(Set(codes.map(\.1)).count == codes.count)
    }
}

/// Read-only pointers to every array at once.
func withReadBuffers<R>(_ arrays: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R {
    var buffers: [UnsafeRawBufferPointer] = []
    func nest(_ index: Int) throws -> R {
        guard index < arrays.count else { return try body(buffers) }
        return try arrays[index].withUnsafeBytes { bytes in
            buffers.append(bytes)
            return try nest(index + 1)
        }
    }
    return try nest(0)
}

/// Mutable pointers to every array at once, through one scratch copy written back afterwards, also
/// when `body` throws (so a test sees any write a failing call made).
func withMutableBuffers<R>(
    _ arrays: inout [[UInt8]], _ body: ([UnsafeMutableRawBufferPointer]) throws -> R
) rethrows -> R {
    var scratch = arrays.flatMap { $0 }
    let lengths = arrays.map(\.count)
    defer {
        var offset = 0
        for index in arrays.indices {
            arrays[index] = Array(scratch[offset..<(offset + lengths[index])])
            offset += lengths[index]
        }
    }
    return try scratch.withUnsafeMutableBytes { all in
        var offset = 0
        let buffers = lengths.map { length in
            defer { offset += length }
            return UnsafeMutableRawBufferPointer(rebasing: all[offset..<(offset + length)])
        }
        return try body(buffers)
    }
}
