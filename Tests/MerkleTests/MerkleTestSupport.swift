import Merkle
import TestProcesses
import Testing

/// Deterministic test data from a seed (`SplitMix64`), so property tests reproduce from the seed they print.
struct TestRandom: RandomNumberGenerator {
    private var source: SplitMix64

    init(seed: UInt64) { source = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { source.next() }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    mutating func hash() -> Hash { Hash(bytes: bytes(32))! }
}

/// Straightforward re-implementations of the specification, written from the text and sharing no code
/// with the module beyond SHA-256, to check the fast paths against.
enum Reference {
    static func sha(_ parts: [UInt8]...) -> Hash { SHA256.hash(parts.flatMap { $0 }) }

    static func be64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }

    /// RFC 6962 §2.1 MTH over leaf hashes, recursively.
    static func merkleTreeHash(leafHashes: ArraySlice<Hash>) -> Hash {
        switch leafHashes.count {
        case 0: return sha([])
        case 1: return leafHashes.first!
        default:
            var k = 1
            while k * 2 < leafHashes.count { k *= 2 }
            let start = leafHashes.startIndex
            let left = merkleTreeHash(leafHashes: leafHashes[start..<(start + k)])
            let right = merkleTreeHash(leafHashes: leafHashes[(start + k)...])
            return sha([0x01], left.bytes, right.bytes)
        }
    }

    /// MTH over the data cut into 64 KiB blocks (the last one short).
    static func shardRoot(_ data: [UInt8]) -> Hash {
        let leaves = stride(from: 0, to: data.count, by: 65_536).map { offset in
            sha([0x00], Array(data[offset..<min(offset + 65_536, data.count)]))
        }
        return merkleTreeHash(leafHashes: leaves[...])
    }

    static func bit(_ hash: Hash, _ index: Int) -> Int { Int(hash.bytes[index / 8] >> (7 - UInt8(index % 8))) & 1 }

    /// The allocation trie root from its definition: split each key set at the first bit where not
    /// all keys agree.
    static func trieRoot(_ leaves: [TrieLeaf]) -> Hash { trieNode(leaves)?.hash ?? .zero }

    static func trieNode(_ leaves: [TrieLeaf]) -> (hash: Hash, total: UInt64)? {
        guard let first = leaves.first else { return nil }
        if leaves.count == 1 {
            return (sha([0x02], first.key.bytes, first.valueHash.bytes, be64(first.blocks)), first.blocks)
        }
        let split = (0..<256).first { index in leaves.contains { bit($0.key, index) != bit(first.key, index) } }!
        let left = trieNode(leaves.filter { bit($0.key, split) == 0 })!
        let right = trieNode(leaves.filter { bit($0.key, split) == 1 })!
        let total = left.total &+ right.total
        return (sha([0x01, UInt8(split)], left.hash.bytes, right.hash.bytes, be64(total)), total)
    }
}

extension TrieLeaf {
    static func random(using random: inout TestRandom, maxBlocks: UInt64 = 40) -> TrieLeaf {
        TrieLeaf(key: random.hash(), valueHash: random.hash(), blocks: UInt64.random(in: 0...maxBlocks, using: &random))
    }
}

