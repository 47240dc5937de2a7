/// The walk for one key in an allocation trie: an inclusion proof when it ends at that key, a
/// non-inclusion proof when it ends at another (in a crit-bit trie the walk for a present key always
/// reaches it, so ending elsewhere proves absence).
///
/// JSON: `{"steps": [{"split_bit","sibling_hash","sibling_blocks"}, ...], "leaf": TrieLeaf or null}`,
/// steps top-down from the root. The side of each sibling is not sent: it is the opposite of the
/// reached leaf key's bit at `split_bit`.
public struct TrieProof: Sendable, Hashable, Codable {
    /// One inner node on the walk.
    public struct Step: Sendable, Hashable, Codable {
        /// The node's split bit, 0...255.
        public var splitBit: Int
        /// Hash of the child the walk did not take.
        public var siblingHash: Hash
        /// Block total of that child.
        public var siblingBlocks: UInt64

        public init(splitBit: Int, siblingHash: Hash, siblingBlocks: UInt64) {
            self.splitBit = splitBit
            self.siblingHash = siblingHash
            self.siblingBlocks = siblingBlocks
        }

        enum CodingKeys: String, CodingKey {
            case splitBit = "split_bit"
            case siblingHash = "sibling_hash"
            case siblingBlocks = "sibling_blocks"
        }
    }

    /// Inner nodes from the root down.
    public var steps: [Step]
    /// The leaf the walk reaches; nil only for an empty trie.
    public var leaf: TrieLeaf?

    public init(steps: [Step], leaf: TrieLeaf?) {
        self.steps = steps
        self.leaf = leaf
    }

    enum CodingKeys: String, CodingKey {
        case steps
        case leaf
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(steps, forKey: .steps)
        try container.encode(leaf, forKey: .leaf)  // explicit null for an empty trie
    }

    /// Whether the walk ends at `key` (the proof is then an inclusion proof for it).
    public func includes(key: Hash) -> Bool { leaf?.key == key }
}

extension AllocationTrie {
    /// The walk for `key`: inclusion when present, non-inclusion otherwise.
    public func proof(for key: Hash) -> TrieProof {
        guard var ref = rootRef else { return TrieProof(steps: [], leaf: nil) }
        var steps = [TrieProof.Step]()
        while !ref.isLeaf {
            let node = innerNodes[ref.index]
            let (next, sibling) = key.keyBit(node.splitBit) == 0 ? (node.left, node.right) : (node.right, node.left)
            steps.append(
                TrieProof.Step(
                    splitBit: node.splitBit, siblingHash: hash(of: sibling), siblingBlocks: total(of: sibling)))
            ref = next
        }
        return TrieProof(steps: steps, leaf: leafNodes[ref.index].leaf)
    }

    public func proof(forPath path: String) -> TrieProof {
        proof(for: FileEntry.key(forPath: path))
    }
}
