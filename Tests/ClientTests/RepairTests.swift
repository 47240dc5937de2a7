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

/// Damage on a blobber's disk that its metadata does not show: `blob status` cannot see it, `blob check
/// --verify` finds the blocks, `blob repair --verify` rebuilds exactly that shard and the chain goes on.
@Suite(.serialized) struct DamageRepairTests {
    @Test func flippedBytesAreFoundByCheckVerifyAndHealedByRepairVerify() async throws {
        try await TestNetwork.with { network in
            let home = ["--home", network.home.path, "--json"]
            let file = try network.localFile("f.bin", size: 3 << 20, seed: 5)
            let other = try network.localFile("g.bin", size: 100_000, seed: 6)
            #expect(try await run("blob", ["upload"] + home + [file.path, "/f.bin"]).status == 0)
            #expect(try await run("blob", ["upload"] + home + [other.path, "/g.bin"]).status == 0)
            let before = try await network.heads()
            try await network.corruptStoredShard(of: "/f.bin", shard: 1)

            // Metadata agrees; without --verify, check sees every blobber holding the agreed version.
            let status = try await run("blob", ["status"] + home)
            let rows = try #require(status.json["blobbers"] as? [[String: Any]])
            #expect(rows.allSatisfy { $0["agrees"] as? Bool == true }, "\(status.stdout)")
            let plain = try await run("blob", ["check"] + home + ["/f.bin"])
            #expect(plain.json["healthy"] as? Bool == true && plain.json["good"] as? Int == 6, "\(plain.stdout)")

            // With --verify: block 1 of shard 1 (the flipped byte is at offset 70,000) is found, nothing else.
            let verified = try await run("blob", ["check"] + home + ["/f.bin", "--verify"])
            #expect(verified.json["healthy"] as? Bool == false && verified.json["good"] as? Int == 5, "\(verified.stdout)")
            let shards = try #require(verified.json["blobbers"] as? [[String: Any]])
            let audit = try #require(shards[1]["audit"] as? [String: Any])
            #expect(audit["damaged_blocks"] as? [Int] == [1], "\(verified.stdout)")
            for index in [0, 2, 3, 4, 5] {
                #expect((shards[index]["audit"] as? [String: Any])?["damaged_blocks"] as? [Int] == [])
            }

            // Repair --verify rebuilds that one shard in place: same roots, the next marker, size 0.
            let repair = try await run("blob", ["repair"] + home + ["--verify"])
            #expect(repair.status == 0, "\(repair.stdout) \(repair.stderr)")
            let damaged = try #require(repair.json["damaged"] as? [[String: Any]])
            #expect(damaged.count == 1 && damaged[0]["path"] as? String == "/f.bin" && damaged[0]["shard_index"] as? Int == 1)
            let repaired = try #require((repair.json["repaired"] as? [String: Any])?["1"] as? [String: Any])
            #expect(repaired["rebuilt_files"] as? [String] == ["/f.bin"], "\(repair.stdout)")
            let after = try await network.heads()
            #expect(after[1].allocationRoot == before[1].allocationRoot && after[1].sequence == before[1].sequence + 1)
            #expect(after.indices.filter { $0 != 1 }.allSatisfy { after[$0] == before[$0] })
            let healed = try await run("blob", ["check"] + home + ["/f.bin", "--verify"])
            #expect(healed.json["healthy"] as? Bool == true, "\(healed.stdout)")
            // The ledger takes the healing marker into shard 1's chain.
            #expect(
                try await eventually(timeout: 30) {
                    let id = try await network.session().blobbers[1].blobberID
                    return try await network.ledgerClient.allocation(network.allocation).blobbers
                        .first { $0.blobberID == id }?.head.sequence == after[1].sequence
                })
            // A second repair --verify finds nothing to do.
            let again = try await run("blob", ["repair"] + home + ["--verify"])
            #expect((again.json["damaged"] as? [Any])?.isEmpty == true, "\(again.stdout)")
        }
    }
}
