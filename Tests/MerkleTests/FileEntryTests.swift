import Foundation
import Merkle
import Testing

@Suite struct FileEntryTests {
    static let entry = FileEntry(
        path: "/é.txt", size: -2, contentHash: SHA256.hash(Array("c".utf8)), shardRoot: SHA256.hash(Array("s".utf8)),
        blockCount: 0x0102_0304_0506_0708, encryption: [0xAA, 0xBB, 0xCC], createdAt: 1_700_000_000_000,
        updatedAt: 1_700_000_000_001)

    /// The canonical layout written out by hand from the specification.
    @Test func canonicalBytesFollowTheLayout() {
        let entry = FileEntryTests.entry
        let path: [UInt8] = [0x2F, 0xC3, 0xA9, 0x2E, 0x74, 0x78, 0x74]  // "/é.txt": 7 UTF-8 bytes
        let common1: [UInt8] =
            [0, 0, 0, 7] + path + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE] + entry.contentHash.bytes
        let common2: [UInt8] =
            [1, 2, 3, 4, 5, 6, 7, 8] + [0, 0, 0, 3, 0xAA, 0xBB, 0xCC] + Reference.be64(1_700_000_000_000)
            + Reference.be64(1_700_000_000_001)
        let full = [0x10] + common1 + entry.shardRoot.bytes + common2
        let meta = [0x11] + common1 + common2
        #expect(entry.canonicalBytes(includingShardRoot: true) == full)
        #expect(entry.canonicalBytes(includingShardRoot: false) == meta)
        #expect(entry.entryHash == SHA256.hash(full))
        #expect(entry.metaHash == SHA256.hash(meta))
        #expect(entry.key == SHA256.hash(path))
    }

    @Test func metaHashIgnoresOnlyTheShardRoot() {
        var other = FileEntryTests.entry
        other.shardRoot = .zero
        #expect(other.metaHash == FileEntryTests.entry.metaHash)
        #expect(other.entryHash != FileEntryTests.entry.entryHash)
        other.updatedAt += 1
        #expect(other.metaHash != FileEntryTests.entry.metaHash)
    }

    @Test func jsonUsesSnakeCaseAndHex() throws {
        let json = try JSONCoding.encode(FileEntryTests.entry)
        #expect(json.contains("\"encryption\":\"aabbcc\""))
        #expect(json.contains("\"block_count\":72623859790382856"))
        #expect(json.contains("\"content_hash\":\"\(FileEntryTests.entry.contentHash.hex)\""))
        for key in ["shard_root", "created_at", "updated_at", "path", "size"] { #expect(json.contains("\"\(key)\":")) }
        #expect(try JSONCoding.decode(FileEntry.self, from: json) == FileEntryTests.entry)
        let bad = json.replacingOccurrences(of: "aabbcc", with: "zz")
        #expect(throws: DecodingError.self) { try JSONCoding.decode(FileEntry.self, from: bad) }
    }
}
