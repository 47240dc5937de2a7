/// What an allocation-trie leaf commits to: the key, the value hash and the file's block count.
///
/// JSON: `{"key": hex, "value_hash": hex, "blocks": n}`.
public struct TrieLeaf: Sendable, Hashable, Codable {
    /// `H(path)`.
    public var key: Hash
    /// `entryHash` under the allocation root, `metaHash` under `file_meta_root`.
    public var valueHash: Hash
    /// The file's shard block count; weights challenge selection.
    public var blocks: UInt64

    public init(key: Hash, valueHash: Hash, blocks: UInt64) {
        self.key = key
        self.valueHash = valueHash
        self.blocks = blocks
    }

    enum CodingKeys: String, CodingKey {
        case key
        case valueHash = "value_hash"
        case blocks
    }

    /// `H(0x02 ‖ key ‖ valueHash ‖ u64be(blocks))`.
    public var hash: Hash { AllocationTrie.leafHash(key: key, valueHash: valueHash, blocks: blocks) }
}
