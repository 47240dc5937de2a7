extension ErasureCoder {
    /// Fills every `nil` entry of `shards` (all `k + m` positions, data first) from the others. Needs
    /// at least `k` present shards of one length; on any error `shards` is left untouched.
    public func reconstruct(shards: inout [[UInt8]?]) throws(ErasureError) {
        guard shards.count == totalShards else { throw .wrongShardCount(expected: totalShards, got: shards.count) }
        var present: [Int] = []
        var missing: [Int] = []
        var length: Int?
        for (index, shard) in shards.enumerated() {
            guard let shard else {
                missing.append(index)
                continue
            }
            if let length, shard.count != length {
                throw .shardLengthMismatch(index: index, expected: length, got: shard.count)
            }
            length = shard.count
            present.append(index)
        }
        guard present.count >= dataShards, let length else {
            throw .tooFewShards(present: present.count, required: dataShards)
        }
        try Self.checkLength(length)
        guard !missing.isEmpty else { return }

        let survivors = Array(present.prefix(dataShards))
        let tables = decodeTables(survivors: survivors, missing: missing)
        let sources = survivors.map { shards[$0]! }
        let rebuilt = Self.collectOutputs(count: missing.count, length: length) { output in
            withUnsafeBuffers(sources) { input in
                tables.apply(length: length, input: { input[$0].baseAddress! }, output: output)
            }
        }
        for (shard, index) in zip(rebuilt, missing) { shards[index] = shard }
    }

    /// The repair path: writes only the blocks in `missing` from the blocks in `present`, keyed by
    /// shard index. Any `k` present blocks suffice (the lowest indexes are read, so data shards are
    /// preferred); every buffer must have the same length. Call it once per block position; the
    /// decode tables for one erasure pattern are cached, so block after block costs only the coding.
    public func reconstruct(
        present: [Int: UnsafeRawBufferPointer], missing: [Int: UnsafeMutableRawBufferPointer]
    ) throws(ErasureError) {
        let presentIndexes = present.keys.sorted()
        let missingIndexes = missing.keys.sorted()
        for index in presentIndexes + missingIndexes where !(0..<totalShards).contains(index) {
            throw .indexOutOfRange(index: index, shardCount: totalShards)
        }
        for index in missingIndexes where present[index] != nil {
            throw .shardBothPresentAndMissing(index: index)
        }
        let length =
            presentIndexes.first.map { present[$0]!.count } ?? missingIndexes.first.map { missing[$0]!.count } ?? 0
        for index in presentIndexes where present[index]!.count != length {
            throw .shardLengthMismatch(index: index, expected: length, got: present[index]!.count)
        }
        for index in missingIndexes where missing[index]!.count != length {
            throw .shardLengthMismatch(index: index, expected: length, got: missing[index]!.count)
        }
        guard presentIndexes.count >= dataShards else {
            throw .tooFewShards(present: presentIndexes.count, required: dataShards)
        }
        try Self.checkLength(length)
        guard !missingIndexes.isEmpty, length > 0 else { return }

        let survivors = Array(presentIndexes.prefix(dataShards))
        let tables = decodeTables(survivors: survivors, missing: missingIndexes)
        tables.apply(
            length: length, input: { present[survivors[$0]]!.baseAddress! },
            output: { missing[missingIndexes[$0]]!.baseAddress! })
    }

    /// Tables that compute `missing` from `survivors` (`k` ascending indexes), from the cache when
    /// this pattern was seen recently.
    func decodeTables(survivors: [Int], missing: [Int]) -> CodingTables {
        let pattern = ErasurePattern(survivors: survivors.map(UInt8.init), missing: missing.map(UInt8.init))
        return decodeCache.tables(for: pattern) {
            CodingTables(
                inputs: dataShards, outputs: missing.count,
                coefficients: matrix.decodeRows(survivors: survivors, missing: missing))
        }
    }
}
