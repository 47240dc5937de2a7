import Merkle
import StorageProtocol

/// Fixed keys, trees and tries the targets check decoded proofs and signatures against. Built from
/// constants, so the committed seeds (written from them) stay valid from run to run.
enum Fixture {
    static let owner = try! SigningKey(seed: [UInt8](repeating: 0x01, count: 32))
    static let reader = try! SigningKey(seed: [UInt8](repeating: 0x02, count: 32))
    static let blobber = try! SigningKey(seed: [UInt8](repeating: 0x03, count: 32))
    static let allocation = AllocationID(SHA256.hash(Array("fuzz allocation".utf8)))
    /// Unix ms the targets take as "now".
    static let now: Int64 = 1_700_000_000_000

    /// Blocks `[file, block]` of file `file`: two bytes each, so trees stay cheap.
    static func blocks(ofFile file: Int, count: Int) -> [[UInt8]] {
        (0..<count).map { [UInt8(truncatingIfNeeded: file), UInt8(truncatingIfNeeded: $0)] }
    }

    static func tree(ofFile file: Int, count: Int) -> ShardTree {
        ShardTree(leaves: blocks(ofFile: file, count: count).map { ShardTree.leafHash($0) })
    }

    /// A shard of 13 blocks (odd, not a power of two: every RFC 6962 edge case is in it).
    static let shardTree = tree(ofFile: 200, count: 13)

    /// 24 files of 1 to 5 blocks.
    static let files: [FileEntry] = (0..<24).map { index in
        let count = index % 5 + 1
        return FileEntry(
            path: "/fuzz/file-\(index)", size: Int64(count * 2), contentHash: SHA256.hash([UInt8(index)]),
            shardRoot: tree(ofFile: index, count: count).root, blockCount: UInt64(count),
            encryption: index % 7 == 0 ? [1, 2, 3] : [], createdAt: now, updatedAt: now + Int64(index))
    }

    static let trie = AllocationTrie(entries: files)

    /// Keys with no leaf in `trie`.
    static let absentKeys: [Hash] = (0..<8).map { FileEntry.key(forPath: "/fuzz/absent-\($0)") }

    /// Challenge seeds; a challenge-proof input's first byte picks one.
    static let challengeSeeds: [Hash] = (0..<8).map { SHA256.hash(Array("seed \($0)".utf8)) }

    static func file(withKey key: Hash) -> (index: Int, entry: FileEntry)? {
        files.firstIndex { $0.key == key }.map { ($0, files[$0]) }
    }
}
