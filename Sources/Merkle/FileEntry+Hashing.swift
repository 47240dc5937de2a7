extension FileEntry {
    /// Tag of the entry encoding committed by the allocation root.
    public static let entryTag: UInt8 = 0x10
    /// Tag of the encoding without the shard root, committed by `file_meta_root`.
    public static let metaTag: UInt8 = 0x11

    /// `H(path UTF-8)`: where the entry sits in the trie.
    public var key: Hash { FileEntry.key(forPath: path) }

    public static func key(forPath path: String) -> Hash {
        var path = path
        return path.withUTF8 { SHA256.hash(UnsafeRawBufferPointer($0)) }
    }

    /// `H(canonicalBytes(includingShardRoot: true))`, the value under the allocation root.
    public var entryHash: Hash { hash(tag: FileEntry.entryTag, includingShardRoot: true) }

    /// `H(canonicalBytes(includingShardRoot: false))`, the value under `file_meta_root`: equal on every
    /// blobber holding the same file, which is how a client tells which blobbers agree.
    public var metaHash: Hash { hash(tag: FileEntry.metaTag, includingShardRoot: false) }

    /// The trie value for `kind`.
    public func valueHash(for kind: AllocationTrie.Kind) -> Hash {
        switch kind {
        case .allocation: entryHash
        case .fileMeta: metaHash
        }
    }

    /// The trie leaf of this entry for `kind`.
    public func trieLeaf(for kind: AllocationTrie.Kind) -> TrieLeaf {
        TrieLeaf(key: key, valueHash: valueHash(for: kind), blocks: blockCount)
    }

    /// `tag ‖ u32be(len(path)) ‖ path ‖ i64be(size) ‖ contentHash ‖ [shardRoot] ‖ u64be(blockCount) ‖
    /// u32be(len(encryption)) ‖ encryption ‖ i64be(createdAt) ‖ i64be(updatedAt)`, tag 0x10 with the
    /// shard root and 0x11 without.
    public func canonicalBytes(includingShardRoot: Bool) -> [UInt8] {
        var out = [includingShardRoot ? FileEntry.entryTag : FileEntry.metaTag]
        FileEntry.append(uint32: UInt32(path.utf8.count), to: &out)
        out.append(contentsOf: path.utf8)
        FileEntry.append(uint64: UInt64(bitPattern: size), to: &out)
        out.append(contentsOf: contentHash.bytes)
        if includingShardRoot { out.append(contentsOf: shardRoot.bytes) }
        FileEntry.append(uint64: blockCount, to: &out)
        FileEntry.append(uint32: UInt32(encryption.count), to: &out)
        out.append(contentsOf: encryption)
        FileEntry.append(uint64: UInt64(bitPattern: createdAt), to: &out)
        FileEntry.append(uint64: UInt64(bitPattern: updatedAt), to: &out)
        return out
    }

    /// Streams the same bytes as `canonicalBytes` into the hasher without building them.
    private func hash(tag: UInt8, includingShardRoot: Bool) -> Hash {
        var hasher = SHA256()
        hasher.update(byte: tag)
        withUnsafeBytes(of: UInt32(path.utf8.count).bigEndian) { hasher.update($0) }
        var path = path
        path.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
        hasher.update(int64: size)
        hasher.update(hash: contentHash)
        if includingShardRoot { hasher.update(hash: shardRoot) }
        hasher.update(uint64: blockCount)
        withUnsafeBytes(of: UInt32(encryption.count).bigEndian) { hasher.update($0) }
        hasher.update(encryption)
        hasher.update(int64: createdAt)
        hasher.update(int64: updatedAt)
        return hasher.finalize()
    }

    private static func append(uint32 value: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    private static func append(uint64 value: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }
}
