extension AllocationTrie {
    public static let leafTag: UInt8 = 0x02
    public static let innerTag: UInt8 = 0x01

    /// `H(0x02 ‖ key ‖ valueHash ‖ u64be(blocks))`, 73 bytes hashed.
    public static func leafHash(key: Hash, valueHash: Hash, blocks: UInt64) -> Hash {
        HashInput.hash(byteCount: 73) { input in
            input.write(byte: leafTag)
            input.write(hash: key)
            input.write(hash: valueHash)
            input.write(uint64: blocks)
        }
    }

    /// `H(0x01 ‖ u8(splitBit) ‖ left ‖ right ‖ u64be(totalBlocks))`, 74 bytes hashed (the shard tree's
    /// inner node has the same tag but 65 bytes, so the two never share an input).
    public static func innerHash(splitBit: Int, left: Hash, right: Hash, totalBlocks: UInt64) -> Hash {
        precondition(splitBit >= 0 && splitBit < 256, "split bit \(splitBit) outside 0...255")
        return HashInput.hash(byteCount: 74) { input in
            input.write(byte: innerTag)
            input.write(byte: UInt8(splitBit))
            input.write(hash: left)
            input.write(hash: right)
            input.write(uint64: totalBlocks)
        }
    }
}
