extension AllocationTrie {
    /// Inserts or updates `key`; rehashes only the path to the root.
    public mutating func set(key: Hash, valueHash: Hash, blocks: UInt64) {
        let leaf = TrieLeaf(key: key, valueHash: valueHash, blocks: blocks)
        guard var ref = rootRef else {
            rootRef = allocate(leaf)
            return
        }
        var path = [Int]()
        path.reserveCapacity(40)
        while !ref.isLeaf {
            path.append(ref.index)
            ref = child(of: ref.index, toward: key)
        }
        let reached = leafNodes[ref.index].leaf
        guard let crit = key.firstDifferingBit(from: reached.key) else {
            guard reached != leaf else { return }
            leafNodes[ref.index] = LeafNode(leaf: leaf, hash: leaf.hash)
            rehash(path[...])
            return
        }
        // The new inner node goes above the first node on the path that splits later than `crit`.
        let depth = path.firstIndex { innerNodes[$0].splitBit > crit } ?? path.count
        let displaced = depth < path.count ? NodeRef.inner(path[depth]) : ref
        let newLeaf = allocate(leaf)
        let (left, right) = key.keyBit(crit) == 0 ? (newLeaf, displaced) : (displaced, newLeaf)
        let joined = allocateInner(splitBit: crit, left: left, right: right)
        relink(parent: depth > 0 ? path[depth - 1] : nil, from: displaced, to: joined)
        rehash(path[..<depth])
    }

    /// Inserts or updates the entry under `H(entry.path)` with the hash for this trie's kind.
    public mutating func set(_ entry: FileEntry) {
        set(key: entry.key, valueHash: entry.valueHash(for: kind), blocks: entry.blockCount)
    }

    /// Removes `key`; returns the removed leaf, or nil when the key was absent.
    @discardableResult
    public mutating func remove(key: Hash) -> TrieLeaf? {
        guard var ref = rootRef else { return nil }
        var path = [Int]()
        path.reserveCapacity(40)
        while !ref.isLeaf {
            path.append(ref.index)
            ref = child(of: ref.index, toward: key)
        }
        let removed = leafNodes[ref.index].leaf
        guard removed.key == key else { return nil }
        freeLeaves.append(ref.index)
        guard let parent = path.popLast() else {
            rootRef = nil
            return removed
        }
        // The parent disappears; the removed leaf's sibling takes its place.
        let node = innerNodes[parent]
        let sibling = node.left == ref ? node.right : node.left
        freeInners.append(parent)
        relink(parent: path.last, from: .inner(parent), to: sibling)
        rehash(path[...])
        return removed
    }

    @discardableResult
    public mutating func remove(path: String) -> TrieLeaf? {
        remove(key: FileEntry.key(forPath: path))
    }

    // MARK: Internals

    /// Recomputes totals and hashes of `path` (inner node indices, top-down), bottom-up.
    mutating func rehash(_ path: ArraySlice<Int>) {
        for index in path.reversed() {
            let node = innerNodes[index]
            let total = total(of: node.left) &+ total(of: node.right)
            innerNodes[index].total = total
            innerNodes[index].hash = AllocationTrie.innerHash(
                splitBit: node.splitBit, left: hash(of: node.left), right: hash(of: node.right), totalBlocks: total)
        }
    }

    mutating func relink(parent: Int?, from old: NodeRef, to new: NodeRef) {
        guard let parent else {
            rootRef = new
            return
        }
        if innerNodes[parent].left == old {
            innerNodes[parent].left = new
        } else {
            innerNodes[parent].right = new
        }
    }

    mutating func allocate(_ leaf: TrieLeaf) -> NodeRef {
        let node = LeafNode(leaf: leaf, hash: leaf.hash)
        if let index = freeLeaves.popLast() {
            leafNodes[index] = node
            return .leaf(index)
        }
        leafNodes.append(node)
        return .leaf(leafNodes.count - 1)
    }

    /// A new inner node over two existing subtrees, hashed.
    mutating func allocateInner(splitBit: Int, left: NodeRef, right: NodeRef) -> NodeRef {
        let total = total(of: left) &+ total(of: right)
        let node = InnerNode(
            hash: AllocationTrie.innerHash(
                splitBit: splitBit, left: hash(of: left), right: hash(of: right), totalBlocks: total),
            total: total, left: left, right: right, splitBit: splitBit)
        if let index = freeInners.popLast() {
            innerNodes[index] = node
            return .inner(index)
        }
        innerNodes.append(node)
        return .inner(innerNodes.count - 1)
    }
}
