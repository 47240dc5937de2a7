import Merkle
import StorageProtocol
import Synchronization

/// Shard trees of recently read shards. A download asks for a shard's blocks a few at a time, and
/// every answer carries a range proof; without the cache each answer would read the shard's leaf
/// hashes and rebuild its tree, so reading a whole shard would cost time quadratic in its size.
/// Shards are content-addressed (the key is the shard root), so an entry never goes stale; least
/// recently used trees are dropped beyond `capacityBytes`.
final class ShardTreeCache: Sendable {
    struct Key: Hashable {
        var allocation: AllocationID
        var shardRoot: Hash
    }

    private struct Slot {
        var tree: ShardTree
        var bytes: Int
        var lastUse: UInt64
    }

    private struct State {
        var slots: [Key: Slot] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    let capacityBytes: Int
    /// Trees of fewer blocks are rebuilt on each read (a few hashes) rather than kept, so that many
    /// small files cannot fill the cache with entries that each eviction would have to scan.
    static let minimumBlocks = 64
    private let state = Mutex(State())

    init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    /// The cached tree of `key`, or the one `build` makes (kept for next time).
    func tree(_ key: Key, build: () throws -> ShardTree) rethrows -> ShardTree {
        if let cached = cached(key) { return cached }
        let tree = try build()
        // Every level of the tree: about two hashes per leaf.
        let bytes = 2 * tree.blockCount * Hash.byteCount
        guard tree.blockCount >= Self.minimumBlocks, bytes <= capacityBytes else { return tree }
        state.withLock { state in
            state.clock += 1
            if let old = state.slots[key] { state.bytes -= old.bytes }
            state.slots[key] = Slot(tree: tree, bytes: bytes, lastUse: state.clock)
            state.bytes += bytes
            while state.bytes > capacityBytes, let oldest = state.slots.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.slots[oldest.key] = nil
                state.bytes -= oldest.value.bytes
            }
        }
        return tree
    }

    /// The cached tree of `key`, nil when it is not kept.
    func cached(_ key: Key) -> ShardTree? {
        state.withLock { state in
            state.clock += 1
            guard var slot = state.slots[key] else { return nil }
            slot.lastUse = state.clock
            state.slots[key] = slot
            return slot.tree
        }
    }
}
