@testable import Blobber
import Foundation
import Merkle
import NIOCore
import StorageProtocol
import TestProcesses
import Testing

/// Random sequences of puts, overwrites, deletes, renames, rollbacks and refused commits against the
/// real store (SQLite on disk, shard files), checked step by step against tries the test keeps itself;
/// every few steps the store is reopened from disk, and challenges against the current and every older
/// root are answered and verified as the ledger does.
@Suite("Blobber store sequences", .timeLimit(.minutes(2)))
struct StoreSequenceTests {
    struct Model {
        var trie = AllocationTrie(kind: .allocation)
        var meta = AllocationTrie(kind: .fileMeta)
        var files = [String: FileEntry]()
        var undo: (trie: AllocationTrie, meta: AllocationTrie, files: [String: FileEntry], size: Int64)?
        var stored: Int64 { Int64(trie.totalBlocks) * 65536 }
    }

    @Test("store follows the model", arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func randomSequence(seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.folder) }
        let now = nowMillis()
        var store = try fixture.open()
        var model = Model()
        var roots: [Hash] = []
        var uploads = 0

        func marker(_ head: BlobberHead, trie: AllocationTrie, meta: AllocationTrie, size: Int64) -> WriteMarker {
            fixture.marker(after: head, trie: trie, meta: meta, size: size, timestamp: now)
        }
        func stage(_ blocks: Int) async throws -> (String, [UInt8]) {
            uploads += 1
            let bytes = (0..<(blocks * 65536)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let id = "s\(uploads)"
            #expect(try await fixture.stage(id, bytes).complete)
            return (id, bytes)
        }

        for step in 0..<40 {
            let head = await store.head
            var next = model
            var changes = [CommitChange]()
            let choice = Int.random(in: 0..<10, using: &random)
            let existing = model.files.keys.sorted()
            if choice < 4 || existing.isEmpty {
                let path =
                    existing.isEmpty || Bool.random(using: &random)
                    ? "/d\(step % 3)/f\(step)" : existing.randomElement(using: &random)!
                let (id, bytes) = try await stage(Int.random(in: 1...3, using: &random))
                let file = entry(path, bytes, createdAt: Int64(step))
                changes = [.put(uploadID: id, entry: file)]
                next.files[path] = file
                next.trie.set(file)
                next.meta.set(file)
            } else if choice < 6 {
                let path = existing.randomElement(using: &random)!
                changes = [.delete(path: try RemotePath(path))]
                next.files[path] = nil
                _ = next.trie.remove(path: path)
                _ = next.meta.remove(path: path)
            } else if choice < 7 {
                let from = existing.randomElement(using: &random)!
                var moved = model.files[from]!
                moved.path = "/moved/\(step)"
                changes = [.rename(from: try RemotePath(from), entry: moved)]
                next.files[from] = nil
                _ = next.trie.remove(path: from)
                _ = next.meta.remove(path: from)
                next.files[moved.path] = moved
                next.trie.set(moved)
                next.meta.set(moved)
            } else if choice < 9, let undo = model.undo {
                let reply = try await store.rollback(
                    marker(head, trie: undo.trie, meta: undo.meta, size: -undo.size), now: now)
                model = Model(trie: undo.trie, meta: undo.meta, files: undo.files, undo: nil)
                #expect(reply.allocationRoot == model.trie.root)
                roots.append(model.trie.root)
                continue
            } else {
                // A refused commit: a marker with a wrong size. Nothing may change.
                let (id, bytes) = try await stage(1)
                let file = entry("/refused/\(step)", bytes)
                var trie = model.trie
                var meta = model.meta
                trie.set(file)
                meta.set(file)
                do {
                    _ = try await store.commit(
                        CommitRequest(
                            changes: [.put(uploadID: id, entry: file)],
                            marker: marker(head, trie: trie, meta: meta, size: 1)),
                        now: now)
                    Issue.record("a wrong size was accepted (seed \(seed), step \(step))")
                } catch let error as MarkerError {
                    #expect(error.code == "marker.wrong_size")
                }
                #expect(await store.head == head)
                #expect(await store.storedBytes == UInt64(model.stored))
                continue
            }
            let size = next.stored - model.stored
            let reply = try await store.commit(
                CommitRequest(changes: changes, marker: marker(head, trie: next.trie, meta: next.meta, size: size)),
                now: now)
            next.undo = (model.trie, model.meta, model.files, size)
            model = next
            #expect(reply.allocationRoot == model.trie.root, "seed \(seed), step \(step)")
            roots.append(model.trie.root)
            if step % 7 == 6 {
                store = try fixture.open()
                #expect(await store.head.allocationRoot == model.trie.root)
            }
            #expect(await store.fileCount == model.files.count)
            #expect(await store.storedBytes == UInt64(model.stored))
        }
        // Challenges against the current root and every older one are answered and verify.
        for (index, root) in Set(roots).enumerated() where root != .zero {
            let challengeSeed = SHA256.hash(Array("challenge-\(seed)-\(index)".utf8))
            let answer = try await store.challengeAnswer(challengeID: challengeSeed, root: root, seed: challengeSeed)
            let payload = try #require(answer, "no answer for an older root")
            try payload.trieProof.verify(
                seed: challengeSeed, allocationRoot: root, entry: payload.entry, block: payload.block,
                blockProof: payload.blockProof)
        }
    }
}
