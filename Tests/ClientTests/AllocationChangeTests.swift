import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// `blob alloc update / cancel / show` over a real network with spare blobbers: a replacement and an added
/// parity shard start empty and `blob repair` fills them from `k` good blobbers; the file then reads from
/// the new blobbers with old ones stopped.
@Suite(.serialized, .timeLimit(.minutes(3))) struct AllocationChangeTests {
    @Test func replacedAndAddedBlobbersAreFilledByRepairAndServeReads() async throws {
        try await TestNetwork.with(data: 2, parity: 1, size: 64 << 20, spare: 2) { network in
            let home = ["--home", network.home.path, "--json"]
            let file = try network.localFile("a.bin", size: 3 << 20, seed: 7)
            let upload = try await run("blob", ["upload"] + home + [file.path, "/a.bin"])
            #expect(upload.status == 0, "\(upload.stdout) \(upload.stderr)")
            let before = try await network.ledgerClient.allocation(network.allocation)
            let old = try #require(before.blobbers.first { $0.shardIndex == 1 }).blobberID

            // Refusals first: a blobber not in the allocation, an id already in it, nothing to change.
            let stranger = String(repeating: "ab", count: 32)
            let notMember = try await run("blob", ["alloc", "update"] + home + ["--replace", stranger, "--with", "auto"])
            #expect(notMember.status != 0 && notMember.stdout.contains("not in allocation"), "\(notMember.stdout)")
            let member = try #require(before.blobbers.first { $0.shardIndex == 0 }).blobberID
            let taken = try await run(
                "blob", ["alloc", "update"] + home + ["--replace", old.hex, "--with", member.hex])
            #expect(taken.status != 0 && taken.stdout.contains("already in the allocation"), "\(taken.stdout)")
            #expect(try await run("blob", ["alloc", "update"] + home).status != 0)
            // Nothing changed (heads and the write pool may move meanwhile: the upload's markers reach the
            // ledger, and are paid for, in batches).
            let unchanged = try await network.ledgerClient.allocation(network.allocation).allocation
            #expect(
                (unchanged.size, unchanged.expiry, unchanged.parityShards, unchanged.finalized)
                    == (before.allocation.size, before.allocation.expiry, before.allocation.parityShards, false))
            let members = try await network.ledgerClient.allocation(network.allocation).blobbers
            #expect(members.map(\.blobberID) == before.blobbers.map(\.blobberID))

            // Shard 1 moves to a spare blobber, which starts at genesis; the pool grew by what it needs.
            let replaced = try await run("blob", ["alloc", "update"] + home + ["--replace", old.hex, "--with", "auto"])
            #expect(replaced.status == 0, "\(replaced.stdout) \(replaced.stderr)")
            var view = try await network.ledgerClient.allocation(network.allocation)
            let new = try #require(view.blobbers.first { $0.shardIndex == 1 })
            #expect(new.blobberID != old && new.head == .genesis)
            #expect(!view.blobbers.contains { $0.blobberID == old })

            // Repair fills it; then it serves with shard 0 stopped (k = 2: shards 1 and 2 must read).
            let repair = try await run("blob", ["repair"] + home)
            #expect(repair.status == 0, "\(repair.stdout) \(repair.stderr)")
            let repaired = try #require((repair.json["repaired"] as? [String: Any])?["1"] as? [String: Any])
            #expect((repaired["rebuilt_files"] as? [String]) == ["/a.bin"], "\(repair.stdout)")
            let status = try await run("blob", ["status"] + home)
            let rows = try #require(status.json["blobbers"] as? [[String: Any]])
            #expect(rows.count == 3 && rows.allSatisfy { $0["agrees"] as? Bool == true }, "\(status.stdout)")
            // Its first marker chains from genesis: the ledger accepts its chain.
            #expect(
                try await eventually(timeout: 30) {
                    let head = try await network.ledgerClient.allocation(network.allocation).blobbers
                        .first { $0.blobberID == new.blobberID }?.head
                    return (head?.sequence ?? 0) > 0
                })

            // An added parity shard on the other spare, filled by repair too; extend and grow in the same run.
            let grown = try await run(
                "blob", ["alloc", "update"] + home + ["--add-blobber", "auto", "--extend", "1d", "--size", "128MiB"])
            #expect(grown.status == 0, "\(grown.stdout) \(grown.stderr)")
            view = try await network.ledgerClient.allocation(network.allocation)
            #expect(view.blobbers.count == 4 && view.allocation.parityShards == 2)
            #expect(view.allocation.size == 128 << 20 && view.allocation.expiry == before.allocation.expiry + 86_400_000)
            #expect(try await run("blob", ["repair"] + home).status == 0)

            // Reads with shard 0 and shard 2 stopped: only the two new blobbers remain.
            try await network.blobber(shard: 0).process.stop()
            try await network.blobber(shard: 2).process.stop()
            let out = network.root + "/a.out"
            let download = try await run("blob", ["download"] + home + ["/a.bin", out])
            #expect(download.status == 0, "\(download.stdout) \(download.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(file.bytes))

            // Cancel ends and settles it now; show says so and what can be done; it can no longer change.
            let cancelled = try await run("blob", ["alloc", "cancel"] + home + ["--alloc", network.allocation.hex])
            #expect(cancelled.status == 0, "\(cancelled.stdout) \(cancelled.stderr)")
            let shown = try await run("blob", ["alloc", "show"] + home)
            #expect(shown.json["state"] as? String == "finalized", "\(shown.stdout)")
            #expect((shown.json["hint"] as? String)?.contains("blob alloc new") == true)
            let late = try await run("blob", ["alloc", "update"] + home + ["--extend", "1d"])
            #expect(late.status != 0 && late.stdout.contains("ledger.allocation_finalized"), "\(late.stdout)")
        }
    }
}
