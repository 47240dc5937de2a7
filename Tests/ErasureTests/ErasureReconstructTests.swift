import PropertyBased
import TestProcesses
import Testing

@testable import Erasure

@Suite struct ErasureReconstructTests {
    static let smallShapes = (1...4).flatMap { k in (0...3).map { m in (k, m) } }

    /// Every pattern of up to `m` lost shards, for every shape up to 4+3, rebuilds the exact shards.
    @Test(arguments: smallShapes)
    func everyErasurePatternOfSmallShapes(k: Int, m: Int) async throws {
        let coder = try ErasureCoder(dataShards: k, parityShards: m)
        await propertyCheck(count: 8, input: Gen.int(in: 0...200), Gen.uint64()) { length, seed in
            recordingErrors {
                var random = TestBytes(seed: seed)
                let data = random.shards(k, length: length)
                let original = data + (try coder.encode(data))
                for lost in subsets(of: k + m, upTo: m) {
                    var shards: [[UInt8]?] = original
                    for index in lost { shards[index] = nil }
                    try coder.reconstruct(shards: &shards)
                    #expect(shards.map { $0 ?? [] } == original, "\(k)+\(m) lost \(lost)")
                }
            }
        }
    }

    /// The repair path rebuilds exactly the requested blocks from exactly the given ones.
    @Test(arguments: smallShapes)
    func everyErasurePatternThroughPointers(k: Int, m: Int) async throws {
        let coder = try ErasureCoder(dataShards: k, parityShards: m)
        await propertyCheck(count: 4, input: Gen.int(in: 1...300), Gen.uint64()) { length, seed in
            recordingErrors {
                var random = TestBytes(seed: seed)
                let data = random.shards(k, length: length)
                let original = data + (try coder.encode(data))
                for lost in subsets(of: k + m, upTo: m) where !lost.isEmpty {
                    let kept = (0..<(k + m)).filter { !lost.contains($0) }
                    var rebuilt = Array(repeating: [UInt8](repeating: 0xEE, count: length), count: lost.count)
                    try withMutableBuffers(&rebuilt) { output in
                        try withReadBuffers(kept.map { original[$0] }) { input in
                            try coder.reconstruct(
                                present: Dictionary(uniqueKeysWithValues: zip(kept, input)),
                                missing: Dictionary(uniqueKeysWithValues: zip(lost, output)))
                        }
                    }
                    #expect(rebuilt == lost.map { original[$0] }, "\(k)+\(m) lost \(lost)")
                }
            }
        }
    }

    @Test func randomPatternsOfLargeShapes() async throws {
        await propertyCheck(
            count: 40, input: Gen.int(in: 1...32), Gen.int(in: 1...32), Gen.int(in: 1...400), Gen.uint64()
        ) { k, m, length, seed in
            recordingErrors {
                var random = TestBytes(seed: seed)
                let coder = try ErasureCoder(dataShards: k, parityShards: m)
                let data = random.shards(k, length: length)
                let original = data + (try coder.encode(data))
                let lost = random.distinctIndexes(1 + Int(random.next() % UInt64(m)), below: k + m)
                var shards: [[UInt8]?] = original
                for index in lost { shards[index] = nil }
                try coder.reconstruct(shards: &shards)
                #expect(shards.map { $0 ?? [] } == original, "\(k)+\(m) lost \(lost.sorted())")
            }
        }
    }

    @Test(arguments: [(32, 32), (128, 128), (200, 56)])
    func losingEveryParityWorthOfShards(k: Int, m: Int) throws {
        var random = TestBytes(seed: UInt64(k + m))
        let coder = try ErasureCoder(dataShards: k, parityShards: m)
        let data = random.shards(k, length: 97)
        let original = data + (try coder.encode(data))
        var shards: [[UInt8]?] = original
        for index in random.distinctIndexes(m, below: k + m) { shards[index] = nil }
        try coder.reconstruct(shards: &shards)
        #expect(shards.map { $0 ?? [] } == original)
    }

    @Test func tooFewShardsFailsAndLeavesInputUnchanged() async throws {
        await propertyCheck(count: 50, input: Gen.int(in: 1...8), Gen.int(in: 0...4), Gen.uint64()) { k, m, seed in
            recordingErrors {
                var random = TestBytes(seed: seed)
                let coder = try ErasureCoder(dataShards: k, parityShards: m)
                let data = random.shards(k, length: 33)
                var shards: [[UInt8]?] = data + (try coder.encode(data))
                for index in random.distinctIndexes(m + 1, below: k + m) { shards[index] = nil }
                let before = shards
                #expect(throws: ErasureError.tooFewShards(present: k - 1, required: k)) {
                    try coder.reconstruct(shards: &shards)
                }
                #expect(shards == before)
            }
        }
    }

    @Test func mismatchedLengthsFailAndLeaveInputUnchanged() throws {
        let coder = try ErasureCoder(dataShards: 2, parityShards: 2)
        var shards: [[UInt8]?] = [[1, 2, 3], nil, [4, 5], [6, 7, 8]]
        let before = shards
        #expect(throws: ErasureError.shardLengthMismatch(index: 2, expected: 3, got: 2)) {
            try coder.reconstruct(shards: &shards)
        }
        #expect(shards == before)
        var tooMany: [[UInt8]?] = [[1], [2], [3], [4], [5]]
        #expect(throws: ErasureError.wrongShardCount(expected: 4, got: 5)) { try coder.reconstruct(shards: &tooMany) }
        var none: [[UInt8]?] = [nil, nil, nil, nil]
        #expect(throws: ErasureError.tooFewShards(present: 0, required: 2)) { try coder.reconstruct(shards: &none) }
    }

    @Test func pointerReconstructRejectsBadRequestsWithoutWriting() throws {
        let coder = try ErasureCoder(dataShards: 2, parityShards: 1)
        let data: [[UInt8]] = [[1, 2], [3, 4]]
        let parity = try coder.encode(data)
        let cases: [(present: [Int], missing: [Int], lengths: [Int], error: ErasureError)] = [
            ([0], [1], [2], .tooFewShards(present: 1, required: 2)),
            ([0, 1], [3], [2], .indexOutOfRange(index: 3, shardCount: 3)),
            ([0, 2], [-1], [2], .indexOutOfRange(index: -1, shardCount: 3)),
            ([0, 1], [1], [2], .shardBothPresentAndMissing(index: 1)),
            ([0, 1], [2], [3], .shardLengthMismatch(index: 2, expected: 2, got: 3)),
        ]
        let all = data + parity
        for check in cases {
            var output = check.lengths.map { [UInt8](repeating: 0xEE, count: $0) }
            #expect(throws: check.error) {
                try withMutableBuffers(&output) { output in
                    try withReadBuffers(check.present.map { all[$0] }) { input in
                        try coder.reconstruct(
                            present: Dictionary(uniqueKeysWithValues: zip(check.present, input)),
                            missing: Dictionary(uniqueKeysWithValues: zip(check.missing, output)))
                    }
                }
            }
            #expect(output == check.lengths.map { [UInt8](repeating: 0xEE, count: $0) })
        }
    }

    /// A repair reuses one erasure pattern for every block; the tables are built once and the cache
    /// stays bounded when patterns keep changing.
    @Test func decodeTablesAreCachedPerPatternAndBounded() throws {
        let coder = try ErasureCoder(dataShards: 4, parityShards: 4)
        var random = TestBytes(seed: 7)
        for _ in 0..<5 {
            let data = random.shards(4, length: 64)
            let original = data + (try coder.encode(data))
            var shards: [[UInt8]?] = original
            shards[1] = nil
            shards[5] = nil
            try coder.reconstruct(shards: &shards)
            #expect(shards.map { $0 ?? [] } == original)
        }
        #expect(coder.decodeCache.count == 1)
        for lost in subsets(of: 8, upTo: 2) where lost.count == 2 {
            let data = random.shards(4, length: 16)
            let original = data + (try coder.encode(data))
            var shards: [[UInt8]?] = original
            for index in lost { shards[index] = nil }
            try coder.reconstruct(shards: &shards)
            #expect(shards.map { $0 ?? [] } == original, "lost \(lost)")
        }
        #expect(coder.decodeCache.count == 8)
    }

    @Test func emptyShardsReconstructToEmpty() throws {
        let coder = try ErasureCoder(dataShards: 2, parityShards: 2)
        let parity = try coder.encode([[], []])
        #expect(parity == [[], []])
        var shards: [[UInt8]?] = [[], nil, nil, []]
        try coder.reconstruct(shards: &shards)
        #expect(shards.map { $0?.count } == [0, 0, 0, 0])
    }
}
