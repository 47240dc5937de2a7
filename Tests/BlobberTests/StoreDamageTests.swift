@testable import Blobber
import Foundation
import GRDB
import Merkle
import NIOCore
import StorageProtocol
import TestProcesses
import Testing

@Suite("Blobber store damage and disk usage", .timeLimit(.minutes(1)))
struct StoreDamageTests {
    @Test("a rollback whose versions do not undo the recorded size is refused as damage and changes nothing")
    func rollbackChecksTheRecordedUndoSize() async throws {
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.folder) }
        var store = try fixture.open()
        let bytes = shardBytes(2, seed: 1)
        try await fixture.stage("a", bytes)
        let file = entry("/a", bytes)
        var trie = AllocationTrie(kind: .allocation)
        var meta = AllocationTrie(kind: .fileMeta)
        let empty = (trie: trie, meta: meta)
        trie.set(file)
        meta.set(file)
        let start = await store.head
        _ = try await store.commit(
            CommitRequest(
                changes: [.put(uploadID: "a", entry: file)],
                marker: fixture.marker(after: start, trie: trie, meta: meta, size: Int64(bytes.count))),
            now: nowMillis())
        let committed = await store.head

        // The recorded size of the undo step no longer matches what its versions undo.
        try await fixture.database.writer.write { db in
            try db.execute(sql: "UPDATE allocation SET undo_size = undo_size + 65536")
        }
        store = try fixture.open()
        let undo = fixture.marker(after: committed, trie: empty.trie, meta: empty.meta, size: -Int64(bytes.count))
        await #expect {
            _ = try await store.rollback(undo, now: nowMillis())
        } throws: { error in
            (error as? StorageError)?.code == "storage.corrupt"
        }
        #expect(await store.head == committed)
        #expect(await store.storedBytes == UInt64(bytes.count))
        #expect(try await fixture.open().head == committed)

        // With the record repaired, the same rollback goes through.
        try await fixture.database.writer.write { db in
            try db.execute(sql: "UPDATE allocation SET undo_size = undo_size - 65536")
        }
        store = try fixture.open()
        let reply = try await store.rollback(undo, now: nowMillis())
        #expect(reply.allocationRoot == empty.trie.root)
    }

    @Test("disk usage is walked once per period, and again at once after a commit or a removal")
    func diskUsageIsKeptUntilSomethingChanges() async throws {
        let usage = DiskUsage(maxAge: .seconds(3600))
        var walks = 0
        var bytes: UInt64 = 10
        func read() -> UInt64 {
            usage.value {
                walks += 1
                return bytes
            }
        }
        #expect(read() == 10 && walks == 1)
        bytes = 20
        #expect(read() == 10 && walks == 1)  // kept
        usage.invalidate()
        #expect(read() == 20 && walks == 2)
        // An invalidation while a walk runs leaves that walk's figure stale.
        bytes = 30
        usage.invalidate()
        #expect(
            usage.value {
                usage.invalidate(); return 25
            } == 25)
        #expect(read() == 30 && walks == 3)
        let aging = DiskUsage(maxAge: .zero)
        #expect(aging.value { 1 } == 1 && aging.value { 2 } == 2)

        // Through the store: an upload is counted by the next commit or removal, not while it streams.
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.folder) }
        let empty = fixture.shards.diskUsed()
        try await fixture.stage("b", shardBytes(1, seed: 2))
        #expect(fixture.shards.diskUsed() == empty)  // within the period: not walked again
        let store = try fixture.open()
        let file = entry("/b", shardBytes(1, seed: 2))
        var trie = AllocationTrie(kind: .allocation)
        var meta = AllocationTrie(kind: .fileMeta)
        trie.set(file)
        meta.set(file)
        _ = try await store.commit(
            CommitRequest(
                changes: [.put(uploadID: "b", entry: file)],
                marker: fixture.marker(after: await store.head, trie: trie, meta: meta, size: 65536)),
            now: nowMillis())
        let committed = fixture.shards.diskUsed()
        #expect(committed >= empty + 65536 && committed < empty + 2 * 65536)
        try await fixture.stage("c", shardBytes(1, seed: 3))
        try await fixture.stage("d", shardBytes(1, seed: 4))
        #expect(fixture.shards.diskUsed() == committed)
        fixture.shards.dropStaged(fixture.info.id, "d")
        #expect(fixture.shards.diskUsed() == 2 * committed - empty)  // c counted, d gone
    }
}
