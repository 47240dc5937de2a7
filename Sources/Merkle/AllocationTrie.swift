/// A blobber's full allocation trie: a binary Patricia (crit-bit) trie keyed by `H(path)` whose
/// nodes also commit to the number of blocks below them.
///
/// The shape depends only on the set of keys (every inner node splits at the first bit where the keys
/// below it differ), so every party that knows the entries computes the same root. Each node caches
/// its hash and block total, so a change rehashes only the path from the changed leaf to the root
/// (~17 small hashes among 100 000 files).
///
/// Nodes live in two arenas addressed by 32-bit indices rather than as class instances: no reference
/// counting on the walk, and copying the trie (an undo step) is two array copies.
public struct AllocationTrie: Sendable {
    /// Which file-entry hash the leaves hold.
    public enum Kind: Sendable, Hashable {
        /// `FileEntry.entryHash`: the allocation root.
        case allocation
        /// `FileEntry.metaHash`: `file_meta_root`.
        case fileMeta
    }

    struct LeafNode {
        var leaf: TrieLeaf
        var hash: Hash
    }

    struct InnerNode {
        var hash: Hash
        var total: UInt64
        var left: NodeRef
        var right: NodeRef
        var splitBit: Int
    }

    /// A leaf (`raw < 0`, index `~raw`) or an inner node (`raw >= 0`).
    struct NodeRef: Equatable {
        var raw: Int32
        static func leaf(_ index: Int) -> NodeRef { NodeRef(raw: ~Int32(index)) }
        static func inner(_ index: Int) -> NodeRef { NodeRef(raw: Int32(index)) }
        var isLeaf: Bool { raw < 0 }
        var index: Int { raw < 0 ? Int(~raw) : Int(raw) }
    }

    public let kind: Kind
    var leafNodes: [LeafNode] = []
    var innerNodes: [InnerNode] = []
    var freeLeaves: [Int] = []
    var freeInners: [Int] = []
    var rootRef: NodeRef?
    /// Entries in the trie: every leaf slot not on the free list.
    public var count: Int { leafNodes.count - freeLeaves.count }

    /// An empty trie (root `Hash.zero`).
    public init(kind: Kind = .allocation) {
        self.kind = kind
    }

    /// The root: `Hash.zero` when empty, the leaf hash with one entry.
    public var root: Hash { rootRef.map(hash(of:)) ?? .zero }

    /// Sum of `blocks` over all leaves (addition modulo 2^64; a real allocation never comes near).
    public var totalBlocks: UInt64 { rootRef.map(total(of:)) ?? 0 }

    public var isEmpty: Bool { rootRef == nil }

    /// The leaf stored under `key`, if any.
    public func lookup(key: Hash) -> TrieLeaf? {
        guard var ref = rootRef else { return nil }
        while !ref.isLeaf { ref = child(of: ref.index, toward: key) }
        let leaf = leafNodes[ref.index].leaf
        return leaf.key == key ? leaf : nil
    }

    /// Every leaf in key order.
    public var allLeaves: [TrieLeaf] {
        var out = [TrieLeaf]()
        out.reserveCapacity(count)
        var stack = rootRef.map { [$0] } ?? []
        while let ref = stack.popLast() {
            if ref.isLeaf {
                out.append(leafNodes[ref.index].leaf)
            } else {
                stack.append(innerNodes[ref.index].right)
                stack.append(innerNodes[ref.index].left)
            }
        }
        return out
    }

    // MARK: Node access

    func hash(of ref: NodeRef) -> Hash {
        ref.isLeaf ? leafNodes[ref.index].hash : innerNodes[ref.index].hash
    }

    func total(of ref: NodeRef) -> UInt64 {
        ref.isLeaf ? leafNodes[ref.index].leaf.blocks : innerNodes[ref.index].total
    }

    @inline(__always) func child(of inner: Int, toward key: Hash) -> NodeRef {
        let node = innerNodes[inner]
        return key.keyBit(node.splitBit) == 0 ? node.left : node.right
    }
}
