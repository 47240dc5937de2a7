import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// docs/PROTOCOL.md section 8, "Commit" (paths in NFC): names in any script, typed precomposed or with
/// combining marks, upload, list, rename, repair and delete alike. A directory named `/é` once listed as
/// empty (SQLite's `substr` counted characters against a byte length), so repair skipped it silently.
@Suite(.serialized) struct UnicodePathTests {
    /// Latin with accents, CJK, emoji (and a space), and `été` typed with combining accents.
    static let directories = ["/café", "/日本語", "/🙂 x", "/e\u{301}te\u{301}"]

    @Test func namesInEveryScriptUploadListRenameRepairAndDelete() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let operations = FileOperations(session: session)
            var items: [Uploader.Item] = []
            for (index, directory) in Self.directories.enumerated() {
                let file = try network.localFile("u\(index).bin", size: 70_000 + index, seed: UInt64(40 + index))
                items.append(.init(localPath: file.path, remotePath: try RemotePath.parse(directory + "/f\(index).bin")))
            }
            // Bytes, not `==`: Swift compares strings by canonical equivalence.
            #expect(Array(items[3].remotePath.string.utf8) == Array("/\u{e9}t\u{e9}/f3.bin".utf8))
            // Shard 2 misses the upload, so repair has to walk these directories to rebuild it.
            await (try await network.blobber(shard: 2)).process.stop()
            let report = try await Uploader(session: session).upload(items)
            #expect(report.missed.keys.sorted() == [session.blobbers[2].blobberID.hex])
            try await network.restart(shard: 2)

            for (index, directory) in Self.directories.enumerated() {
                let listing = try await operations.list(directory + "/")
                #expect(listing.files.map(\.path) == [RemotePath.normalized(directory) + "/f\(index).bin"])
            }
            let root = try await operations.list("/")
            #expect(Set(root.directories) == Set(Self.directories.map { String(RemotePath.normalized($0).dropFirst()) + "/" }))

            let outcome = try #require(try await Repairer(session: session).repair().repaired["2"])
            #expect(outcome.error == nil)
            #expect(Set(outcome.rebuiltFiles) == Set(items.map(\.remotePath.string)))
            let status = await AllocationStatus.gather(session)
            #expect(status.blobbers.allSatisfy { $0.reachable && $0.agrees })

            // Rename across scripts, then delete by the decomposed name.
            try await operations.move(items[0].remotePath, to: try RemotePath.parse("/日本語/moved.bin"))
            #expect(try await operations.list("/日本語/").files.map(\.path) == ["/日本語/f1.bin", "/日本語/moved.bin"])
            #expect(try await operations.list("/café/").files.isEmpty)
            try await operations.remove([try RemotePath.parse("/e\u{301}te\u{301}/f3.bin")])
            #expect(try await operations.list("/\u{e9}t\u{e9}/").files.isEmpty)
            let end = await AllocationStatus.gather(session)
            #expect(end.blobbers.allSatisfy { $0.reachable && $0.agrees })
        }
    }

    @Test func onlyNFCPathsAreValidAndClientsNormalise() throws {
        #expect(throws: PathError.self) { try RemotePath("/e\u{301}") }
        #expect(try RemotePath(normalizing: "/e\u{301}").string.unicodeScalars.map(\.value) == [0x2f, 0xe9])
        #expect(try RemotePath("/\u{e9}").string == "/\u{e9}")
        // Hangul syllables decomposed into jamo compose back; emoji and CJK are NFC already.
        #expect(Array(try RemotePath(normalizing: "/\u{1100}\u{1161}").string.utf8) == Array("/\u{ac00}".utf8))
        #expect(try RemotePath("/🙂/日本").string == "/🙂/日本")
        // `.` and `..` are bytes, not look-alikes: a dot with a combining mark is a name.
        #expect(throws: PathError.self) { try RemotePath("/a/../b") }
        #expect(Array(try RemotePath(normalizing: "/a/.\u{301}/b").string.utf8) == Array("/a/.\u{301}/b".utf8))
    }
}
