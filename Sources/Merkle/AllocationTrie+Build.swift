extension AllocationTrie {
    /// Builds a trie from many leaves at once: sort by key, then split each sorted run at the first
    /// bit where its smallest and largest keys differ. O(n log n) and no rehashing, so it beats n
    /// inserts (a blobber rebuilding its trie at start-up). A key given twice keeps its last leaf.
    public init(kind: Kind = .allocation, leaves: [TrieLeaf]) {
        self.init(kind: kind)
        // Sort positions by (key, position) so that the last duplicate is deterministic.
        let order = leaves.indices.sorted { a, b in
            leaves[a].key != leaves[b].key ? leaves[a].key < leaves[b].key : a < b
        }
        var sorted = [TrieLeaf]()
        sorted.reserveCapacity(leaves.count)
        for position in order {
            if let last = sorted.last, last.key == leaves[position].key {
                sorted[sorted.count - 1] = leaves[position]
            } else {
                sorted.append(leaves[position])
            }
        }
        guard !sorted.isEmpty else { return }
        leafNodes.reserveCapacity(sorted.count)
        innerNodes.reserveCapacity(sorted.count - 1)
        rootRef = build(sorted, 0..<sorted.count)
    }

    /// Builds from file entries, with the value hash of `kind`.
    public init(kind: Kind = .allocation, entries: [FileEntry]) {
        self.init(kind: kind, leaves: entries.map { $0.trieLeaf(for: kind) })
    }

    private mutating func build(_ sorted: [TrieLeaf], _ range: Range<Int>) -> NodeRef {
        if range.count == 1 { return allocate(sorted[range.lowerBound]) }
        let crit = sorted[range.lowerBound].key.firstDifferingBit(from: sorted[range.upperBound - 1].key)!
        // Keys are sorted, so those with a 0 at `crit` come first: binary search for the first 1.
        var low = range.lowerBound
        var high = range.upperBound - 1
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle].key.keyBit(crit) == 0 { low = middle + 1 } else { high = middle }
        }
        let left = build(sorted, range.lowerBound..<low)
        let right = build(sorted, low..<range.upperBound)
        return allocateInner(splitBit: crit, left: left, right: right)
    }
}
