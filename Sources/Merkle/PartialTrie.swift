/// The part of a blobber's allocation trie a client can see: the walks for the keys it changes, with
/// every subtree off those walks kept as an opaque (hash, block total) node.
///
/// Built from `TrieProof`s against one root (each is verified), it accepts inserts, updates and
/// removes and yields the root the full trie would have after the same changes, so a commit costs
/// O(changed files × depth) instead of the whole file list.
///
/// Changes are queued and applied when `newRoot()` is read: the last change per key wins, then all
/// inserts and updates, then all removes. The final shape depends only on the final key set, so this
/// order gives the same root as any other, and it never walks into a subtree a remove has exposed.
public struct PartialTrie: Sendable {
    enum Node: Sendable {
        case opaque(TrieProof.Node)
        case leaf(TrieLeaf)
        case inner(splitBit: Int, left: Int, right: Int)
    }

    enum Change: Sendable {
        case set(TrieLeaf)
        case remove
    }

    public let kind: AllocationTrie.Kind
    var nodes: [Node] = []
    /// Index of the root node; nil for an empty trie.
    var rootIndex: Int?
    var pending: [Hash: Change] = [:]
    /// Built without proofs over a non-empty root: the block total was never shown.
    var rootTotalUnknown = false

    /// Verifies every proof against `root` and merges them. Every key that will be changed needs a
    /// proof (inclusion or non-inclusion); with no proofs at all only the unchanged root can be read.
    public init(root: Hash, proofs: [TrieProof], kind: AllocationTrie.Kind = .allocation) throws(TrieProofError) {
        self.kind = kind
        for proof in proofs {
            let chain = try proof.nodes()
            guard chain[0].hash == root else { throw .rootMismatch(expected: root, computed: chain[0].hash) }
            try merge(proof, chain: chain)
        }
        if root != .zero && rootIndex == nil {
            // No proofs: the whole trie is one opaque node. Its root stands until a change needs a walk.
            rootIndex = append(.opaque(TrieProof.Node(hash: root, total: 0)))
            rootTotalUnknown = true
        }
    }

    /// Queues an insert or update of `key`.
    public mutating func set(key: Hash, valueHash: Hash, blocks: UInt64) {
        pending[key] = .set(TrieLeaf(key: key, valueHash: valueHash, blocks: blocks))
    }

    /// Queues an insert or update of `entry` with the value hash of this trie's kind.
    public mutating func set(_ entry: FileEntry) {
        pending[entry.key] = .set(entry.trieLeaf(for: kind))
    }

    /// Queues a remove; removing an absent key (proven absent) changes nothing.
    public mutating func remove(key: Hash) {
        pending[key] = .remove
    }

    public mutating func remove(path: String) {
        remove(key: FileEntry.key(forPath: path))
    }

    /// Applies the queued changes and returns the new root. On an error nothing is applied (and the
    /// queue is kept): `missingProof(key)` names a key whose walk no proof covered.
    public mutating func newRoot() throws(TrieProofError) -> Hash {
        try applyPending()
        return rootNode().hash
    }

    /// Block total after the queued changes (`noProofs` when built without proofs over a non-empty root).
    public mutating func newTotalBlocks() throws(TrieProofError) -> UInt64 {
        try applyPending()
        if rootTotalUnknown { throw .noProofs }
        return rootNode().total
    }

    func rootNode() -> TrieProof.Node {
        guard let rootIndex else { return TrieProof.Node(hash: .zero, total: 0) }
        return summary(of: rootIndex)
    }

    /// Hash and total of a subtree, recomputed over its expanded part.
    private func summary(of index: Int) -> TrieProof.Node {
        switch nodes[index] {
        case .opaque(let node):
            return node
        case .leaf(let leaf):
            return TrieProof.Node(hash: leaf.hash, total: leaf.blocks)
        case .inner(let splitBit, let left, let right):
            let l = summary(of: left)
            let r = summary(of: right)
            let total = l.total &+ r.total
            return TrieProof.Node(
                hash: AllocationTrie.innerHash(splitBit: splitBit, left: l.hash, right: r.hash, totalBlocks: total),
                total: total)
        }
    }
}
