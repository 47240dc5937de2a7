import Merkle
import NIOCore

/// Stripes `[first, first + count)` of a file laid end to end in one page-aligned buffer, which the
/// blobbers' answers fill in place: data shard `j`'s block `b` lands at `(b × k + j) × 64 KiB`, so a run
/// read from the `k` data shards is the file's bytes with no copy after the socket's. Parity blocks,
/// when a parity shard is read, go to a scratch buffer of their own and are decoded into the gaps.
///
/// A class because tasks fill disjoint parts of one buffer; the reader hands each task only the
/// pointers of its own shard (`slots(shard:)`) and waits for every task before touching the buffer.
final class StripeWindow: @unchecked Sendable {
    let dataShards: Int
    /// Stripes the buffer holds.
    let capacity: Int
    let data: UnsafeMutableRawBufferPointer
    private var parity: [Int: UnsafeMutableRawBufferPointer] = [:]
    private(set) var first = 0
    private(set) var count = 0

    /// Direct I/O wants buffers aligned to the device's logical block; a page covers every device.
    static let alignment = 4096

    init(dataShards: Int, capacity: Int) {
        self.dataShards = dataShards
        self.capacity = capacity
        data = .allocate(byteCount: capacity * dataShards * ShardTree.blockSize, alignment: Self.alignment)
    }

    deinit {
        data.deallocate()
        for buffer in parity.values { buffer.deallocate() }
    }

    var stripeLength: Int { dataShards * ShardTree.blockSize }

    /// Starts a new run of stripes; what the buffer held is forgotten.
    func reset(stripes: Range<Int>) {
        precondition(stripes.count <= capacity)
        first = stripes.lowerBound
        count = stripes.count
    }

    /// Stripe `first + offset`.
    func stripe(_ offset: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: data[(offset * stripeLength)..<((offset + 1) * stripeLength)])
    }

    /// Where shard `shard`'s blocks of this run go; allocates a parity shard's scratch on first use.
    func slots(shard: Int) -> BlockSlots {
        let block = ShardTree.blockSize
        if shard < dataShards {
            return BlockSlots(base: data.baseAddress! + shard * block, stride: stripeLength)
        }
        if parity[shard] == nil {
            parity[shard] = .allocate(byteCount: capacity * block, alignment: Self.alignment)
        }
        return BlockSlots(base: parity[shard]!.baseAddress!, stride: block)
    }
}

/// Where one shard's blocks of a run go: block `b` at `base + b × stride`, 64 KiB long.
struct BlockSlots: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let stride: Int

    func block(_ index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: base + index * stride, count: ShardTree.blockSize)
    }
}

/// Places an answer's body into its block slots as it arrives and hashes each block as soon as it is
/// whole, while it is still in the cache.
struct BlockFiller {
    let slots: BlockSlots
    let count: Int
    private(set) var received = 0
    private(set) var leaves: [Hash] = []

    init(slots: BlockSlots, count: Int) {
        self.slots = slots
        self.count = count
        leaves.reserveCapacity(count)
    }

    var expected: Int { count * ShardTree.blockSize }
    var isComplete: Bool { received == expected }

    /// False when the chunk runs past the `count` blocks asked for.
    mutating func take(_ chunk: ByteBuffer) -> Bool {
        guard chunk.readableBytes <= expected - received else { return false }
        chunk.withUnsafeReadableBytes { bytes in
            var offset = 0
            let block = ShardTree.blockSize
            while offset < bytes.count {
                let index = received / block
                let within = received % block
                let piece = min(block - within, bytes.count - offset)
                let target = slots.block(index)
                UnsafeMutableRawBufferPointer(rebasing: target[within..<(within + piece)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + piece)]))
                offset += piece
                received += piece
                if within + piece == block { leaves.append(ShardTree.leafHash(UnsafeRawBufferPointer(target))) }
            }
        }
        return true
    }
}
