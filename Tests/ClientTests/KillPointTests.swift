import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// A `blob upload` process killed at random points inside staging, the commits and the rollback
/// (`BLOB_TEST_EXIT_AT`, docs/PROTOCOL.md 10.10), then `blob repair`, over one real network of 4 + 2
/// blobbers: afterwards every blobber agrees, every file reads back, and no file that reached `k + 1`
/// commits is lost. `BLOB_KILL_SEED` replays a run; `BLOB_KILL_TRIALS` sets how many writes (32; about
/// 20 s alone on the 2-core machine, longer while other suites run beside it).
@Suite(.serialized) struct KillPointTests {

    @Test func clientsKilledInsideWritesAlwaysRepairToOneStateKeepingEveryCommittedFile() async throws {
        let environment = ProcessInfo.processInfo.environment
        let trials = environment["BLOB_KILL_TRIALS"].flatMap(Int.init) ?? 32
        let seed = environment["BLOB_KILL_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        let started = ContinuousClock.now
        try await TestNetwork.with { network in
            let session = try await network.session()
            let home = ["--home", network.home.path]
            let k = session.dataShards
            /// What each path must read back as: its content hash.
            var expected: [String: Hash] = [:]
            var kills = 0
            var splits = 0
            var undone = 0
            var rebuilt = 0
            for trial in 0..<trials {
                // An upload of a new file or a new version of one that exists, or a delete.
                let remove = !expected.isEmpty && random.below(6) == 0
                let overwrite = !remove && !expected.isEmpty && random.below(3) == 0
                let path =
                    remove || overwrite ? expected.keys.sorted()[random.below(expected.count)] : "/t\(trial).bin"
                let size = random.below(3) == 0 ? random.below(300) : 1_000 + random.below(300_000)
                let file = try network.localFile("t\(trial).bin", size: size, seed: seed &+ UInt64(trial))
                let newHash: Hash? = remove ? nil : SHA256.hash(file.bytes)
                // Where to die: after staging, after the Nth commit, or inside a rollback forced by two
                // commits that are never sent (4 < k + 1 commit, so all 4 are rolled back). The first
                // three trials are fixed: the 3/3 split of the issue, k commits, a rollback cut halfway.
                var variables: [String: String] = [:]
                switch trial < 3 ? [3, 1, 9][trial] : random.below(10) {
                case 0: variables["BLOB_TEST_EXIT_AT"] = "staged"
                case 1...6: variables["BLOB_TEST_EXIT_AT"] = "commit:\(trial < 3 ? [3, 4][trial] : 1 + random.below(6))"
                default:
                    let first = random.below(6)
                    let second = (first + 1 + random.below(5)) % 6
                    variables["BLOB_TEST_SKIP_COMMIT"] = "\(first),\(second)"
                    variables["BLOB_TEST_EXIT_AT"] = "rollback:\(trial < 3 ? 2 : random.below(5))"
                }
                let context =
                    "seed \(seed) trial \(trial): \(remove ? "rm" : "upload") \(path) \(size) B, \(variables)"
                let write = try await run(
                    "blob", (remove ? ["rm"] + home + [path] : ["upload", "--force"] + home + [file.path, path]) + ["--json"],
                    environment: variables)
                #expect(write.status == 137, "\(context): \(write.stdout) \(write.stderr)")
                if write.status == 137 { kills += 1 }
                // How many blobbers committed the new version (or the delete) before anything repaired it.
                var committed = 0
                for blobber in session.blobbers {
                    let answer = try await blobber.file(path)
                    if answer?.entry.contentHash == newHash { committed += 1 }
                }
                // `blob status` says so when the blobbers hold different states, and `blob repair` (another
                // process, its own order of answers) resolves to the state it names.
                let before = await AllocationStatus.gather(session)
                if committed > 0 && committed < session.blobbers.count {
                    splits += 1
                    #expect(before.split, "\(context): \(committed) committed, status shows no split")
                }
                let repair = try await run("blob", ["repair"] + home + ["--json"])
                #expect(repair.status == 0, "\(context): \(repair.stdout) \(repair.stderr)")
                #expect(
                    repair.json["agreed_file_meta_root"] as? String == before.agreedFileMetaRoot,
                    "\(context): status said \(before.states)")
                if !((repair.json["undone"] as? [Int]) ?? []).isEmpty { undone += 1 }
                if !((repair.json["repaired"] as? [String: Any]) ?? [:]).isEmpty { rebuilt += 1 }

                // One state everywhere.
                let status = await AllocationStatus.gather(session)
                #expect(!status.split, "\(context): still split: \(status.states)")
                #expect(status.blobbers.allSatisfy { $0.reachable && $0.agrees }, "\(context): \(status.blobbers)")
                // The written path holds the new version if k + 1 committed it, else the new or the old one.
                let listing = try await FileOperations(session: session).list("/")
                let held = Dictionary(listing.files.map { ($0.path, $0.contentHash) }, uniquingKeysWith: { a, _ in a })
                if committed >= k + 1 {
                    #expect(held[path] == newHash, "\(context): \(committed) commits, lost")
                } else {
                    #expect(held[path] == newHash || held[path] == expected[path], "\(context): another version")
                }
                expected[path] = held[path]
                // Nothing else changed, nothing appeared.
                #expect(held.count == expected.count, "\(context): \(held.keys.sorted())")
                if remove && committed >= k + 1 { #expect(held[path] == nil, "\(context): a committed delete undone") }
                for (other, hash) in expected { #expect(held[other] == hash, "\(context): \(other) changed") }
                // And it reads back, block by block verified.
                if let hash = held[path] {
                    let back = network.root + "/t\(trial).back"
                    _ = try await Downloader(session: session).download(try RemotePath(path), to: back)
                    #expect(SHA256.hash(Array(try Data(contentsOf: URL(fileURLWithPath: back)))) == hash, "\(context)")
                    try? FileManager.default.removeItem(atPath: back)
                }
                try? FileManager.default.removeItem(atPath: file.path)
            }
            #expect(kills == trials)
            // The trials went through splits, and repair both rolled back and rebuilt.
            #expect(splits >= 3 && undone >= 1 && rebuilt >= 1, "splits \(splits), undone \(undone), rebuilt \(rebuilt)")
            print("KillPointTests: \(splits) splits, \(undone) repairs by rollback, \(rebuilt) by rebuild")
        }
        let elapsed = ContinuousClock.now - started
        print("KillPointTests: \(trials) trials, seed \(seed), \(elapsed)")
    }
}
