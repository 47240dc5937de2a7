extension ShardTree {
    /// The leaf hashes concatenated, 32 bytes each: the compact form a blobber stores beside a shard.
    public var serializedLeaves: [UInt8] { ShardTree.encodeHashes(leaves) }

    /// Rebuilds a tree from `serializedLeaves`; throws `serializedLength` on a length not a multiple of 32.
    public init(serializedLeaves bytes: some ContiguousBytes) throws(ShardProofError) {
        let leaves = try ShardTree.decodeHashes(bytes)
        self.init(leaves: leaves)
    }

    /// Splits concatenated 32-byte hashes (stored leaves, range-proof hashes on the wire).
    public static func decodeHashes(_ bytes: some ContiguousBytes) throws(ShardProofError) -> [Hash] {
        let decoded: [Hash]? = bytes.withUnsafeBytes { raw in
            guard raw.count % Hash.byteCount == 0 else { return nil }
            return (0..<(raw.count / Hash.byteCount)).map { index in
                Hash(unsafeBytes: UnsafeRawBufferPointer(rebasing: raw[(index * 32)..<(index * 32 + 32)]))
            }
        }
        guard let decoded else { throw .serializedLength(bytes.withUnsafeBytes { $0.count }) }
        return decoded
    }

    /// Concatenates hashes, 32 bytes each.
    public static func encodeHashes(_ hashes: [Hash]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(hashes.count * Hash.byteCount)
        for hash in hashes { hash.withUnsafeBytes { out.append(contentsOf: $0) } }
        return out
    }
}
