import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// `blob repair` against real processes: a blobber that missed commits gets exactly its shards back.
@Suite(.serialized) struct RepairTests {
    @Test func blobbersThatMissedCommitsGetTheirShardsRebuiltAndDeletesApplied() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let old = try network.localFile("old.bin", size: 200_000, seed: 11)
            _ = try await Uploader(session: session).upload([
                .init(localPath: old.path, remotePath: try RemotePath("/old.bin"))
            ])
            // Shard 0 (data) and later shard 5 (parity) miss commits while they are down.
            for (shard, seed) in [(0, UInt64(12)), (5, UInt64(13))] {
                let down = try await network.blobber(shard: shard)
                await down.process.stop()
                let file = try network.localFile("new\(shard).bin", size: 3 * 4 * 65_536 + 77, seed: seed)
                let report = try await Uploader(session: session).upload([
                    .init(localPath: file.path, remotePath: try RemotePath("/new\(shard).bin"))
                ])
                #expect(report.missed.keys.sorted() == [session.blobbers[shard].blobberID.hex])
                if shard == 0 { try await FileOperations(session: session).remove([try RemotePath("/old.bin")]) }
                try await network.restart(shard: shard)
                let before = await AllocationStatus.gather(session)
                #expect(before.blobbers[shard].agrees == false)

                let outcome = try #require(try await Repairer(session: session).repair().repaired[String(shard)])
                #expect(outcome.error == nil)
                #expect(outcome.rebuiltFiles == ["/new\(shard).bin"])
                #expect(outcome.deletedFiles == (shard == 0 ? ["/old.bin"] : []))
                #expect(outcome.rebuiltBytes == 3 * 65_536 + 65_536)
                let after = await AllocationStatus.gather(session)
                #expect(after.blobbers.allSatisfy { $0.reachable && $0.agrees })
            }
            // The rebuilt shards are right: read with two other blobbers down, so shards 0 and 5 must serve.
            for shard in [1, 2] { await (try await network.blobber(shard: shard)).process.stop() }
            for (shard, seed) in [(0, UInt64(12)), (5, UInt64(13))] {
                let back = network.root + "/back\(shard)"
                let report = try await Downloader(session: session).download(
                    try RemotePath("/new\(shard).bin"), to: back)
                #expect(report.servedBy.contains(0) && report.servedBy.contains(5))
                #expect(
                    try Data(contentsOf: URL(fileURLWithPath: back))
                        == Data(ShardEncoderTests.bytes(3 * 4 * 65_536 + 77, seed: seed)))
            }
        }
    }
}
