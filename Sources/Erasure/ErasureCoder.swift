/// Systematic Reed-Solomon over GF(2^8) with ISA-L's Cauchy matrix: `k` data shards and `m` parity
/// shards, any `k` of which rebuild the rest. Shard `i < k` is data, `i ≥ k` parity.
///
/// The encode tables are built once here and only read afterwards, so one coder can be shared by
/// every upload and repair task. The pointer-based calls are the streaming path (no copies, no
/// allocation besides a few pointers on the stack); the `[[UInt8]]` calls are conveniences.
public struct ErasureCoder: Sendable {
    /// `k`: shards that carry the data itself.
    public let dataShards: Int
    /// `m`: shards that can be lost without losing data.
    public let parityShards: Int
    /// GF(2^8) has 256 elements, and the Cauchy construction needs a distinct one per shard.
    public static let maxTotalShards = 256

    let matrix: CodingMatrix
    let encodeTables: CodingTables
    let decodeCache: DecodeTableCache

    /// `k + m`.
    public var totalShards: Int { dataShards + parityShards }

    /// Requires `1 ≤ k`, `0 ≤ m` and `k + m ≤ 256`.
    public init(dataShards k: Int, parityShards m: Int) throws(ErasureError) {
        guard k >= 1, m >= 0, k + m <= Self.maxTotalShards else {
            throw .invalidShape(dataShards: k, parityShards: m)
        }
        self.dataShards = k
        self.parityShards = m
        self.matrix = CodingMatrix(dataShards: k, totalShards: k + m)
        self.encodeTables = CodingTables(inputs: k, outputs: m, coefficients: matrix.parityRows)
        self.decodeCache = DecodeTableCache(capacity: 8)
    }

    /// Writes the `m` parity blocks of `k` data blocks. All buffers must have the same length;
    /// data and parity must not overlap.
    public func encode(data: [UnsafeRawBufferPointer], parity: [UnsafeMutableRawBufferPointer]) throws(ErasureError) {
        guard data.count == dataShards else { throw .wrongShardCount(expected: dataShards, got: data.count) }
        guard parity.count == parityShards else { throw .wrongShardCount(expected: parityShards, got: parity.count) }
        let length = data[0].count
        for (index, buffer) in data.enumerated() where buffer.count != length {
            throw .shardLengthMismatch(index: index, expected: length, got: buffer.count)
        }
        for (index, buffer) in parity.enumerated() where buffer.count != length {
            throw .shardLengthMismatch(index: dataShards + index, expected: length, got: buffer.count)
        }
        try Self.checkLength(length)
        guard length > 0 else { return }
        encodeTables.apply(length: length, input: { data[$0].baseAddress! }, output: { parity[$0].baseAddress! })
    }

    /// Writes the parity of one contiguous stripe: `stripe` is the `k` data blocks back to back
    /// (`k × blockLength` bytes, so a stripe read straight from a file needs no splitting), and each
    /// parity buffer is one block long.
    public func encode(stripe: UnsafeRawBufferPointer, parity: [UnsafeMutableRawBufferPointer]) throws(ErasureError) {
        guard parity.count == parityShards else { throw .wrongShardCount(expected: parityShards, got: parity.count) }
        let length = stripe.count / dataShards
        guard stripe.count == length * dataShards else {
            throw .stripeLengthMismatch(stripeLength: stripe.count, dataShards: dataShards, shardLength: length)
        }
        for (index, buffer) in parity.enumerated() where buffer.count != length {
            throw .shardLengthMismatch(index: dataShards + index, expected: length, got: buffer.count)
        }
        try Self.checkLength(length)
        guard length > 0, let base = stripe.baseAddress else { return }
        encodeTables.apply(length: length, input: { base + $0 * length }, output: { parity[$0].baseAddress! })
    }

    /// The `m` parity shards of `k` equally long data shards.
    public func encode(_ data: [[UInt8]]) throws(ErasureError) -> [[UInt8]] {
        guard data.count == dataShards else { throw .wrongShardCount(expected: dataShards, got: data.count) }
        let length = data[0].count
        for (index, shard) in data.enumerated() where shard.count != length {
            throw .shardLengthMismatch(index: index, expected: length, got: shard.count)
        }
        try Self.checkLength(length)
        return Self.collectOutputs(count: parityShards, length: length) { output in
            withUnsafeBuffers(data) { input in
                encodeTables.apply(length: length, input: { input[$0].baseAddress! }, output: output)
            }
        }
    }

    static func checkLength(_ length: Int) throws(ErasureError) {
        guard length <= Int(Int32.max) else { throw .shardTooLarge(length: length) }
    }

    /// Runs `fill` over one scratch area of `count` blocks of `length` bytes and returns the blocks
    /// as arrays.
    static func collectOutputs(
        count: Int, length: Int, fill: ((Int) -> UnsafeMutableRawPointer) -> Void
    ) -> [[UInt8]] {
        guard count > 0 else { return [] }
        guard length > 0 else { return Array(repeating: [], count: count) }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: count * length, alignment: 64)
        defer { scratch.deallocate() }
        fill { scratch.baseAddress! + $0 * length }
        return (0..<count).map {
            Array(UnsafeRawBufferPointer(rebasing: scratch[($0 * length)..<($0 * length + length)]))
        }
    }
}

/// Calls `body` with the bytes of every array at once, without copying them.
func withUnsafeBuffers<R>(_ arrays: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
    var buffers: [UnsafeRawBufferPointer] = []
    buffers.reserveCapacity(arrays.count)
    func nest(_ index: Int) -> R {
        guard index < arrays.count else { return body(buffers) }
        return arrays[index].withUnsafeBytes { bytes in
            buffers.append(bytes)
            return nest(index + 1)
        }
    }
    return nest(0)
}
