public import Merkle

extension FileEntry {
    /// The most blocks one shard of a file may have: 2^40 (64 PiB a shard), so every count converts to
    /// `Int` and multiplies by the block size without overflow.
    public static let maxBlockCount: UInt64 = 1 << 40

    /// Why the entry's numbers cannot describe a file stored with `dataShards` data shards, or nil when they
    /// can: `size ≥ 0`, `1 ≤ block_count ≤ 2^40`, and `block_count = max(1, ⌈size / P⌉)` where `P` is the
    /// plaintext a stripe carries (`dataShards × 65536`, less the 16-byte tag when encrypted).
    /// docs/PROTOCOL.md section 8, "Commit". Blobbers refuse such an entry at commit; clients refuse to
    /// read one (a blobber, or an owner's tool, that wrote it is wrong).
    public func shapeProblem(dataShards: Int) -> String? {
        guard size >= 0 else { return "size \(size) is negative" }
        guard (1...Self.maxBlockCount).contains(blockCount) else {
            return "block_count \(blockCount) is not 1 to \(Self.maxBlockCount)"
        }
        guard (1...256).contains(dataShards) else { return "\(dataShards) data shards" }
        let stripe = UInt64(dataShards * ShardTree.blockSize)
        let perStripe = encryption.isEmpty ? stripe : stripe - UInt64(StripeCipher.tagByteCount)
        let bytes = UInt64(size)
        let stripes = max(1, bytes / perStripe + (bytes % perStripe == 0 ? 0 : 1))
        guard stripes == blockCount else {
            return "size \(size) needs \(stripes) blocks a shard, not block_count \(blockCount)"
        }
        return nil
    }
}
