import Foundation
import Merkle
import NIOHTTP1
import StorageProtocol
import Synchronization
import TestProcesses
import Testing

@Suite("Blobber crashes", .timeLimit(.minutes(2)))
struct CrashTests {
    @Test("kill -9 in the middle of a commit stream leaves the last answered state or the next, never a mix")
    func killDuringCommits() async throws {
        let (ledger, firstBlobber, start) = try await startAllocation()
        var owner = start
        var blobber = firstBlobber
        // The owner's tries after each sequence, and the bytes of every file ever committed.
        var history: [UInt64: (AllocationTrie, AllocationTrie)] = [0: (owner.trie, owner.meta)]
        var contents = [String: [UInt8]]()
        var acknowledged: UInt64 = 0
        let pid = blobber.process.pid
        // Armed after the first answered commit, so the kill always lands inside the stream.
        var killer: Task<Void, any Error>?
        var index = 0
        while index < 2000 {
            index += 1
            let bytes = shardBytes(1 + index % 3, seed: UInt8(truncatingIfNeeded: index))
            let path = "/stream/f\(index)"
            let id = "s\(index)"
            do {
                let upload = try await owner.upload(id, bytes)
                guard upload.status == 200 else { break }
                let pending = owner
                var next = owner
                let file = entry(path, bytes)
                for part in [file] { next.trie.set(part); next.meta.set(part) }
                history[pending.head.sequence + 1] = (next.trie, next.meta)
                contents[path] = bytes
                let reply = try await owner.commit([.put(uploadID: id, entry: file)])
                guard reply.status == 200 else { break }
                acknowledged = owner.head.sequence
                if killer == nil {
                    killer = Task {
                        try await Task.sleep(for: .milliseconds(Int.random(in: 30...300)))
                        kill(pid, SIGKILL)
                    }
                }
            } catch {
                break
            }
        }
        _ = try? await killer?.value
        blobber.process.kill9()
        #expect(acknowledged >= 1, "the kill landed before any commit")

        blobber = try await TestBlobber.start(ledger: ledger.url, directory: blobber.directory)
        let restarted = Owner(key: owner.key, allocation: owner.allocation, blobber: blobber, copying: owner)
        let state = try await restarted.state()
        print("kill -9 test: \(acknowledged) commits answered, restarted at sequence \(state.head.sequence)")
        #expect(state.head.sequence == acknowledged || state.head.sequence == acknowledged + 1)
        let (trie, meta) = try #require(history[state.head.sequence])
        #expect(state.head.allocationRoot == trie.root && state.head.fileMetaRoot == meta.root)
        #expect(state.fileCount == trie.count && state.storedBytes == trie.totalBlocks * 65536)
        // Every file of that state reads back whole and verified.
        for leaf in trie.allLeaves {
            let path = try #require(contents.keys.first { FileEntry.key(forPath: $0) == leaf.key })
            let bytes = try #require(contents[path])
            let reply = try await restarted.request(
                .GET, "\(restarted.base)/blocks?path=\(path)&start=0&count=\(bytes.count / 65536)")
            #expect(reply.body == bytes, "\(path)")
        }
        // No orphan shard files survive the restart: a data file and a leaves file per stored shard.
        let shardFolder = blobber.directory + "/shards/" + owner.allocation.hex
        let files = try FileManager.default.contentsOfDirectory(atPath: shardFolder)
        #expect(files.count == 2 * trie.count)
        await stopAll(ledger, blobber)
    }
}
