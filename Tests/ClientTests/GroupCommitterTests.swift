import Client
import Foundation
import NIOCore
import StorageProtocol
import TestProcesses
import Testing

/// `GroupCommitter` against a real ledger and six real blobbers: many concurrent callers' batches go out
/// as a few commits, two writes of one path never share a commit, and one caller's failing batch fails
/// only that caller.
@Suite(.serialized) struct GroupCommitterTests {
    static func value(_ index: Int) -> [UInt8] { Array("value \(index) ".utf8) + [UInt8](repeating: UInt8(index % 251), count: 4000) }

    @Test func concurrentBatchesShareCommitsAndFailAlone() async throws {
        try await TestNetwork.with { network in
            let client = try await BlobClient.open(home: network.home)
            let committer = GroupCommitter(client: client)

            // 40 callers at once, each a value and its metadata: every one committed, in a few commits.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        var batch = Batch()
                        batch.write(try RemotePath.parse("/kv/k\(index)"), from: ByteSource(Self.value(index)))
                        batch.write(try RemotePath.parse("/meta/k\(index)"), from: ByteSource(Array("\(index)".utf8)))
                        try await committer.commit(batch)
                    }
                }
                try await group.waitForAll()
            }
            let grouped = committer.counts
            #expect(grouped.batches == 40)
            #expect(grouped.commits < 40, "40 batches took \(grouped.commits) commits")
            for index in [0, 17, 39] {
                #expect(try await BlobClientTests.collect(client.read(try RemotePath.parse("/kv/k\(index)"))) == Self.value(index))
            }
            let listed = try await client.list("/kv")
            #expect(listed.files.count == 40)

            // Ten writes of one path: never two in one commit (the client refuses a batch naming a path
            // twice), so ten commits; the last committed is what stays.
            let before = committer.counts.commits
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        var batch = Batch()
                        batch.write(try RemotePath.parse("/same.bin"), from: ByteSource(Self.value(100 + index)))
                        try await committer.commit(batch)
                    }
                }
                try await group.waitForAll()
            }
            #expect(committer.counts.commits - before == 10)
            let same = try await BlobClientTests.collect(client.read(try RemotePath.parse("/same.bin")))
            #expect((100..<110).map(Self.value).contains(same))

            // A batch that cannot commit (a delete of a path nobody wrote) among good ones: it alone fails.
            let outcomes = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for index in 0..<8 {
                    group.addTask {
                        var batch = Batch()
                        if index == 3 {
                            batch.delete(try RemotePath.parse("/never-written.bin"))
                        } else {
                            batch.write(try RemotePath.parse("/mixed/m\(index)"), from: ByteSource(Self.value(index)))
                        }
                        do {
                            try await committer.commit(batch)
                            return (index, nil)
                        } catch let error as ClientError {
                            return (index, error.code)
                        }
                    }
                }
                var all: [Int: String?] = [:]
                for try await (index, code) in group { all[index] = code }
                return all
            }
            #expect(outcomes.count == 8)
            for (index, code) in outcomes {
                if index == 3 {
                    #expect(code != nil, "the delete of a missing path committed")
                } else {
                    #expect(code == nil, "batch \(index) failed with \(code ?? "")")
                }
            }
            #expect(try await client.list("/mixed").files.count == 7)

            // A stream that ends early (it cannot be read again) is committed alone and fails alone.
            let short = ByteSource(size: 100, AsyncStream<ByteBuffer> { continuation in
                continuation.yield(ByteBuffer(bytes: [UInt8](repeating: 1, count: 50)))
                continuation.finish()
            })
            var shortBatch = Batch()
            shortBatch.write(try RemotePath.parse("/short.bin"), from: short)
            let toCommit = shortBatch
            let bad = Task { () async -> String? in
                do {
                    try await committer.commit(toCommit)
                    return nil
                } catch let error as ClientError {
                    return error.code
                } catch {
                    return "\(error)"
                }
            }
            var good = Batch()
            good.write(try RemotePath.parse("/good.bin"), from: ByteSource(Self.value(7)))
            try await committer.commit(good)
            let badCode = await bad.value
            #expect(badCode != nil, "a stream shorter than announced was committed")
            #expect(try await BlobClientTests.collect(client.read(try RemotePath.parse("/good.bin"))) == Self.value(7))
        }
    }
}
