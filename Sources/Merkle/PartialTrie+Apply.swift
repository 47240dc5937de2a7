extension PartialTrie {
    /// Adds one verified proof's walk: opaque nodes on it are expanded, its siblings become opaque nodes.
    mutating func merge(_ proof: TrieProof, chain: [TrieProof.Node]) throws(TrieProofError) {
        guard let leaf = proof.leaf else { return }  // a proof of the empty trie adds nothing
        let start: Int
        if let rootIndex {
            start = rootIndex
        } else {
            start = append(.opaque(chain[0]))
            rootIndex = start
        }
        var current = start
        for (depth, step) in proof.steps.enumerated() {
            let onLeft = leaf.key.keyBit(step.splitBit) == 0
            let sibling = TrieProof.Node(hash: step.siblingHash, total: step.siblingBlocks)
            switch nodes[current] {
            case .opaque(let node):
                guard node == chain[depth] else { throw .proofConflict }
                let next = append(.opaque(chain[depth + 1]))
                let other = append(.opaque(sibling))
                nodes[current] = .inner(
                    splitBit: step.splitBit, left: onLeft ? next : other, right: onLeft ? other : next)
                current = next
            case .inner(let splitBit, let left, let right):
                guard splitBit == step.splitBit else { throw .proofConflict }
                let other = onLeft ? right : left
                if case .opaque(let node) = nodes[other], node != sibling { throw .proofConflict }
                current = onLeft ? left : right
            case .leaf:
                throw .proofConflict
            }
        }
        switch nodes[current] {
        case .opaque(let node):
            guard node == chain[proof.steps.count] else { throw .proofConflict }
            nodes[current] = .leaf(leaf)
        case .leaf(let existing):
            guard existing == leaf else { throw .proofConflict }
        case .inner:
            throw .proofConflict
        }
    }

    /// Applies the queue on a copy and keeps the result only when every change succeeded.
    mutating func applyPending() throws(TrieProofError) {
        guard !pending.isEmpty else { return }
        var work = self
        // Sorted by key only so that node numbering is reproducible; the root does not depend on it.
        let changes = pending.sorted { $0.key < $1.key }
        for case (_, .set(let leaf)) in changes { try work.insert(leaf) }
        // Decide every remove before doing any: a remove can expose an opaque subtree on the walk of
        // an absent key, whose absence was proven against the trie before removes.
        var present = [Hash]()
        for case (let key, .remove) in changes {
            let (_, end) = try work.walk(key)
            if let end, case .leaf(let leaf) = work.nodes[end], leaf.key == key { present.append(key) }
        }
        for key in present { try work.delete(key) }
        work.pending = [:]
        self = work
    }

    /// The inner nodes on the walk for `key` (top-down) and the leaf it ends at (nil when empty).
    func walk(_ key: Hash) throws(TrieProofError) -> (path: [Int], end: Int?) {
        guard var current = rootIndex else { return ([], nil) }
        var path = [Int]()
        while true {
            switch nodes[current] {
            case .opaque: throw .missingProof(key: key)
            case .leaf: return (path, current)
            case .inner(let splitBit, let left, let right):
                path.append(current)
                current = key.keyBit(splitBit) == 0 ? left : right
            }
        }
    }

    private mutating func insert(_ leaf: TrieLeaf) throws(TrieProofError) {
        let (path, end) = try walk(leaf.key)
        guard let end, case .leaf(let reached) = nodes[end] else {
            rootIndex = append(.leaf(leaf))
            return
        }
        guard let crit = leaf.key.firstDifferingBit(from: reached.key) else {
            nodes[end] = .leaf(leaf)
            return
        }
        let depth = path.firstIndex { splitBit(of: $0) > crit } ?? path.count
        let displaced = depth < path.count ? path[depth] : end
        let newLeaf = append(.leaf(leaf))
        let onLeft = leaf.key.keyBit(crit) == 0
        let joined = append(
            .inner(splitBit: crit, left: onLeft ? newLeaf : displaced, right: onLeft ? displaced : newLeaf))
        relink(parent: depth > 0 ? path[depth - 1] : nil, from: displaced, to: joined)
    }

    private mutating func delete(_ key: Hash) throws(TrieProofError) {
        var (path, end) = try walk(key)
        guard let end else { return }
        guard let parent = path.popLast() else {
            rootIndex = nil
            return
        }
        guard case .inner(_, let left, let right) = nodes[parent] else { return }
        relink(parent: path.last, from: parent, to: left == end ? right : left)
    }

    private func splitBit(of index: Int) -> Int {
        guard case .inner(let splitBit, _, _) = nodes[index] else { return 256 }
        return splitBit
    }

    private mutating func relink(parent: Int?, from old: Int, to new: Int) {
        guard let parent else {
            rootIndex = new
            return
        }
        guard case .inner(let splitBit, let left, let right) = nodes[parent] else { return }
        nodes[parent] = .inner(splitBit: splitBit, left: left == old ? new : left, right: right == old ? new : right)
    }

    mutating func append(_ node: Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }
}
