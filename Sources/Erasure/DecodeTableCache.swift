import Synchronization

/// Which shards a reconstruction reads (the `k` lowest present indexes) and which it writes.
struct ErasurePattern: Hashable, Sendable {
    let survivors: [UInt8]
    let missing: [UInt8]
}

/// A small most-recently-used cache of decode tables keyed by erasure pattern. A repair or a degraded
/// read rebuilds the same missing shards block after block, so one matrix inversion and one table
/// expansion serve the whole file instead of one per 64 KiB block.
final class DecodeTableCache: Sendable {
    private let capacity: Int
    /// Most recently used last; a handful of entries, so a linear scan beats hashing.
    private let entries = Mutex<[(pattern: ErasurePattern, tables: CodingTables)]>([])

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The cached tables for `pattern`, or those `make` builds (outside the lock), then cached.
    func tables(for pattern: ErasurePattern, make: () -> CodingTables) -> CodingTables {
        let hit: CodingTables? = entries.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.pattern == pattern }) else { return nil }
            let entry = entries.remove(at: index)
            entries.append(entry)
            return entry.tables
        }
        if let hit { return hit }
        let made = make()
        entries.withLock { entries in
            guard !entries.contains(where: { $0.pattern == pattern }) else { return }
            if entries.count == capacity { entries.removeFirst() }
            entries.append((pattern, made))
        }
        return made
    }

    /// How many patterns are cached (for tests).
    var count: Int { entries.withLock { $0.count } }
}
