/// Builds small fixed-layout hash inputs on the stack and hashes them in one libcrypto call.
///
/// Tree and trie nodes are 65 to 74 bytes; assembling them in a stack buffer and hashing once
/// costs a fraction of five separate `SHA256.update` calls, and the trie rehashes ~17 of them per
/// update.
enum HashInput {
    static func hash(byteCount: Int, _ fill: (inout Writer) -> Void) -> Hash {
        withUnsafeTemporaryAllocation(byteCount: byteCount, alignment: 8) { buffer in
            var writer = Writer(base: buffer.baseAddress!)
            fill(&writer)
            precondition(writer.offset == byteCount, "hash input layout does not fill its buffer")
            return SHA256.hash(UnsafeRawBufferPointer(buffer))
        }
    }

    /// Appends fields at increasing offsets (unaligned stores are fine for trivial types).
    struct Writer {
        let base: UnsafeMutableRawPointer
        var offset = 0

        mutating func write(byte: UInt8) {
            base.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
            offset += 1
        }

        mutating func write(uint64 value: UInt64) {
            base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
            offset += 8
        }

        mutating func write(hash: Hash) {
            // The words hold the bytes in memory order, so storing them raw writes the 32 bytes in order.
            base.storeBytes(of: hash.w0, toByteOffset: offset, as: UInt64.self)
            base.storeBytes(of: hash.w1, toByteOffset: offset + 8, as: UInt64.self)
            base.storeBytes(of: hash.w2, toByteOffset: offset + 16, as: UInt64.self)
            base.storeBytes(of: hash.w3, toByteOffset: offset + 24, as: UInt64.self)
            offset += 32
        }
    }
}

extension Hash {
    /// `bit(_:)` without the bounds check and byte copy, for the trie's inner loops (index must be 0...255).
    @inline(__always) func keyBit(_ index: Int) -> Int {
        let word: UInt64
        switch index >> 6 {
        case 0: word = w0.bigEndian
        case 1: word = w1.bigEndian
        case 2: word = w2.bigEndian
        default: word = w3.bigEndian
        }
        return Int(truncatingIfNeeded: (word >> UInt64(63 - (index & 63))) & 1)
    }
}
