import Synchronization

/// Hot values in memory, least recently used evicted first, bounded by their total bytes. A hit
/// answers without the blobbers; writes, deletes and expiry remove entries.
final class ValueCache: Sendable {
    struct Entry: Sendable {
        var meta: ObjectMeta
        var bytes: [UInt8]
    }

    private struct Node {
        var key: String
        var entry: Entry
        var previous: Int?
        var next: Int?
    }

    private struct State {
        var index: [String: Int] = [:]
        var nodes: [Node?] = []
        var free: [Int] = []
        var head: Int?  // most recent
        var tail: Int?  // least recent
        var bytes = 0
    }

    let capacity: Int
    let maxValue: Int
    private let state = Mutex(State())

    init(capacity: Int, maxValue: Int) {
        self.capacity = capacity
        self.maxValue = maxValue
    }

    var totalBytes: Int { state.withLock { $0.bytes } }
    var count: Int { state.withLock { $0.index.count } }

    func get(_ key: String) -> Entry? {
        state.withLock { state in
            guard let slot = state.index[key], let node = state.nodes[slot] else { return nil }
            Self.unlink(&state, slot)
            Self.pushFront(&state, slot)
            return node.entry
        }
    }

    func put(_ key: String, _ entry: Entry) {
        let size = entry.bytes.count + key.utf8.count
        state.withLock { state in
            if let slot = state.index[key] { Self.remove(&state, slot) }
            guard size <= maxValue, size <= capacity else { return }
            while state.bytes + size > capacity, let tail = state.tail { Self.remove(&state, tail) }
            let node = Node(key: key, entry: entry, previous: nil, next: nil)
            let slot: Int
            if let reused = state.free.popLast() {
                state.nodes[reused] = node
                slot = reused
            } else {
                state.nodes.append(node)
                slot = state.nodes.count - 1
            }
            state.index[key] = slot
            state.bytes += size
            Self.pushFront(&state, slot)
        }
    }

    func remove(_ key: String) {
        state.withLock { state in
            if let slot = state.index[key] { Self.remove(&state, slot) }
        }
    }

    private static func remove(_ state: inout State, _ slot: Int) {
        guard let node = state.nodes[slot] else { return }
        unlink(&state, slot)
        state.index[node.key] = nil
        state.bytes -= node.entry.bytes.count + node.key.utf8.count
        state.nodes[slot] = nil
        state.free.append(slot)
    }

    private static func unlink(_ state: inout State, _ slot: Int) {
        guard let node = state.nodes[slot] else { return }
        if let previous = node.previous { state.nodes[previous]?.next = node.next } else { state.head = node.next }
        if let next = node.next { state.nodes[next]?.previous = node.previous } else { state.tail = node.previous }
        state.nodes[slot]?.previous = nil
        state.nodes[slot]?.next = nil
    }

    private static func pushFront(_ state: inout State, _ slot: Int) {
        state.nodes[slot]?.next = state.head
        state.nodes[slot]?.previous = nil
        if let head = state.head { state.nodes[head]?.previous = slot }
        state.head = slot
        if state.tail == nil { state.tail = slot }
    }
}
