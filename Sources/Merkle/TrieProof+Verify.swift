extension TrieProof {
    /// Hash and block total of every node on the walk, root first, leaf last.
    public struct Node: Sendable, Hashable {
        public var hash: Hash
        public var total: UInt64
    }

    /// Recomputes the walk's nodes bottom-up, checking the shape: split bits in 0...255 and strictly
    /// increasing downwards, no steps without a leaf, no total above 2^64 − 1.
    public func nodes() throws(TrieProofError) -> [Node] {
        guard let leaf else {
            guard steps.isEmpty else { throw .malformed("steps without a leaf") }
            return [Node(hash: .zero, total: 0)]
        }
        var previous = -1
        for step in steps {
            guard step.splitBit > previous, step.splitBit < 256 else { throw .splitOrder(splitBit: step.splitBit) }
            previous = step.splitBit
        }
        var chain = [Node](repeating: Node(hash: .zero, total: 0), count: steps.count + 1)
        var current = Node(hash: leaf.hash, total: leaf.blocks)
        chain[steps.count] = current
        for (depth, step) in steps.enumerated().reversed() {
            let (total, overflow) = current.total.addingReportingOverflow(step.siblingBlocks)
            guard !overflow else { throw .totalOverflow }
            let onLeft = leaf.key.keyBit(step.splitBit) == 0
            current = Node(
                hash: AllocationTrie.innerHash(
                    splitBit: step.splitBit, left: onLeft ? current.hash : step.siblingHash,
                    right: onLeft ? step.siblingHash : current.hash, totalBlocks: total),
                total: total)
            chain[depth] = current
        }
        return chain
    }

    /// The root the proof leads to (`Hash.zero` for an empty trie).
    public func computedRoot() throws(TrieProofError) -> Hash {
        try nodes()[0].hash
    }

    /// Checks that `key` is in the trie with root `root`, holding `valueHash` and `blocks`.
    public func verifyInclusion(key: Hash, valueHash: Hash, blocks: UInt64, root: Hash) throws(TrieProofError) {
        try verifyRoot(root)
        guard leaf == TrieLeaf(key: key, valueHash: valueHash, blocks: blocks) else { throw .leafMismatch(key: key) }
    }

    /// Checks that `key` is absent from the trie with root `root`.
    public func verifyNonInclusion(key: Hash, root: Hash) throws(TrieProofError) {
        guard try verify(key: key, root: root) == nil else { throw .keyPresent(key: key) }
    }

    /// Checks the proof as the walk for `key` under `root` and returns the key's leaf, or nil when the
    /// proof shows it absent.
    public func verify(key: Hash, root: Hash) throws(TrieProofError) -> TrieLeaf? {
        try verifyRoot(root)
        guard let leaf else { return nil }
        if leaf.key == key { return leaf }
        // Non-inclusion: the path must be the walk for `key`, i.e. turn as `key`'s bits say.
        for step in steps where key.keyBit(step.splitBit) != leaf.key.keyBit(step.splitBit) {
            throw .directionMismatch(key: key, splitBit: step.splitBit)
        }
        return nil
    }

    private func verifyRoot(_ root: Hash) throws(TrieProofError) {
        let computed = try computedRoot()
        guard computed == root else { throw .rootMismatch(expected: root, computed: computed) }
    }
}
