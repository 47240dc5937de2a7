@testable import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// Faults around an upload or download: a ledger outage, a slow blobber, a local file that changes.
@Suite(.serialized) struct FaultTests {
    @Test func uploadsGoOnThroughALedgerOutageAndTheMarkersFollowLater() async throws {
        try await TestNetwork.with { network in
            let first = try network.localFile("a.bin", size: 100_000, seed: 21)
            _ = try await Uploader(session: try await network.session()).upload([
                .init(localPath: first.path, remotePath: try RemotePath("/a.bin"))
            ])
            await network.ledger.pause()
            // Opening the allocation falls back to the copy of the ledger's view kept at the last open.
            let session = try await network.session()
            let second = try network.localFile("b.bin", size: 300_000, seed: 22)
            let report = try await Uploader(session: session).upload([
                .init(localPath: second.path, remotePath: try RemotePath("/b.bin"))
            ])
            #expect(report.committed.count == 6)
            let back = network.root + "/b.back"
            _ = try await Downloader(session: session).download(try RemotePath("/b.bin"), to: back)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(second.bytes))
            // Once the ledger is back, the blobbers' chains reach it (bounded wait: 60 polls of 0.5 s).
            try await network.ledger.resume()
            var sequences: [UInt64] = []
            for _ in 0..<60 {
                sequences = try await network.ledgerClient.allocation(network.allocation).blobbers.map(\.head.sequence)
                if sequences.allSatisfy({ $0 == 2 }) { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            #expect(sequences == Array(repeating: 2, count: 6))
        }
    }

    @Test func aSlowBlobberIsRankedOutOfReads() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let file = try network.localFile("s.bin", size: 2 * 4 * 65_536, seed: 23)
            _ = try await Uploader(session: session).upload([
                .init(localPath: file.path, remotePath: try RemotePath("/s.bin"))
            ])
            // Restart the blobber of data shard 2 answering every request 300 ms late.
            try await network.restart(shard: 2, extra: ["--fault-delay-ms", "300"])
            let back = network.root + "/s.back"
            let report = try await Downloader(session: session).download(try RemotePath("/s.bin"), to: back)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(file.bytes))
            #expect(!report.servedBy.contains(2), "served by \(report.servedBy)")
            #expect(report.servedBy.count == 4)
        }
    }

    @Test func aLocalFileThatChangesOrVanishesWhileReadIsCaught() throws {
        let folder = temporaryDirectory("local-file")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/f"
        try Data(repeating: 1, count: 10_000).write(to: URL(fileURLWithPath: path))
        let unchanged = try LocalFile(path: path)
        try unchanged.checkUnchanged()

        let appended = try LocalFile(path: path)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data([2]))
        try handle.close()
        #expect(throws: ClientError.fileChanged(path: path)) { try appended.checkUnchanged() }

        let vanished = try LocalFile(path: path)
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: ClientError.fileChanged(path: path)) { try vanished.checkUnchanged() }
    }
}

/// A blobber killed while its shard streams in: the upload commits on the others and reports it.
@Suite(.serialized) struct MidUploadFaultTests {
    @Test func aBlobberKilledMidStreamMissesTheCommitAndTheFileStillReadsBack() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let size = 48 * 4 * 65_536  // 48 stripes: three batches of 16
            let file = try network.localFile("big.bin", size: size, seed: 41)
            let victim = try await network.blobber(shard: 3)
            let pid = victim.process.pid
            let sent = TestProcesses.Locked<(bytes: Int, killed: Bool)>((0, false))
            var uploader = Uploader(session: session)
            uploader.repairMissed = false
            let report = try await uploader.upload([.init(localPath: file.path, remotePath: try RemotePath("/big.bin"))]
            ) {
                bytes in
                // After the first batch went out, and before the last: SIGKILL by PID, mid-stream.
                sent.withLock { state in
                    state.bytes += Int(bytes)
                    if !state.killed, state.bytes >= size / 3 {
                        kill(pid, SIGKILL)
                        state.killed = true
                    }
                }
            }
            #expect(sent.withLock { $0.killed })
            #expect(report.committed.count == 5)
            #expect(report.missed.keys.sorted() == [session.blobbers[3].blobberID.hex])
            let back = network.root + "/big.back"
            _ = try await Downloader(session: session).download(try RemotePath("/big.bin"), to: back)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(file.bytes))
        }
    }
}
