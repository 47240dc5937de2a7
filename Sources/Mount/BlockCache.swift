/// Verified blocks of remote files kept in memory, least recently used dropped first: a read that
/// lands in a block read before costs no network trip. Keyed by the file's remote version, so a block
/// of content since replaced is never served. Callers hold the filesystem's lock.
struct BlockCache {
    /// Bytes of file a block holds (the kernel asks 128 KiB at a time; a block serves eight of those).
    static let blockSize: UInt64 = 1 << 20

    struct Key: Hashable {
        var version: UInt64
        var index: UInt64
    }

    let capacity: Int
    private var blocks: [Key: (bytes: [UInt8], used: UInt64)] = [:]
    private var held = 0
    private var tick: UInt64 = 0

    init(capacity: Int) { self.capacity = capacity }

    mutating func get(_ key: Key) -> [UInt8]? {
        guard let found = blocks[key] else { return nil }
        tick += 1
        blocks[key] = (found.bytes, tick)
        return found.bytes
    }

    func contains(_ key: Key) -> Bool { blocks[key] != nil }

    mutating func put(_ key: Key, _ bytes: [UInt8]) {
        guard bytes.count <= capacity else { return }
        tick += 1
        if let old = blocks.updateValue((bytes, tick), forKey: key) { held -= old.bytes.count }
        held += bytes.count
        while held > capacity, let oldest = blocks.min(by: { $0.value.used < $1.value.used }) {
            held -= oldest.value.bytes.count
            blocks[oldest.key] = nil
        }
    }
}
