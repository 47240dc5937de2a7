import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// The `blob` binary over a real network: a directory upload, ls, status, repair, download, and the
/// errors a user sees.
@Suite(.serialized) struct CLITests {
    @Test func anUploadKilledMidwayResumesWhereTheBlobbersGotTo() async throws {
        try await TestNetwork.with { network in
            // Large beside what the kill leaves in flight: the client is killed once 8 MiB are staged, yet
            // its socket buffers (several MiB a blobber on loopback) still drain into the blobbers; with
            // 48 MiB a fast run once had the whole file staged by then.
            let size = 128 << 20
            let file = try network.localFile("big.bin", size: size, seed: 41)
            let staging = network.blobberDirectories.map { $0 + "/staging/\(network.allocation.hex)" }
            func stagedBytes() -> UInt64 {
                staging.reduce(0) { sum, folder in
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                    return names.filter { !$0.hasSuffix(".leaves") }.reduce(sum) { sum, name in
                        sum + ((try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.size] as? UInt64) ?? 0)
                    }
                }
            }
            // The first run is killed once the blobbers hold some of the file, long before it is all sent.
            let first = try ChildProcess(
                builtBinary("blob"), ["upload", "--home", network.home.path, file.path, "/big.bin", "--json"])
            var cut = false
            // Up to 90 s for the first 8 MiB: with the whole suite on two cores the process once took
            // longer than 20 s to get there.
            for _ in 0..<18_000 where first.isRunning {
                if stagedBytes() >= 8 << 20 {
                    first.kill9()
                    cut = true
                    break
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            _ = await first.wait(timeout: 10)
            #expect(cut, "the upload was never seen staging")
            let journal = network.home.path + "/uploads/\(network.allocation.hex).json"
            #expect(FileManager.default.fileExists(atPath: journal))
            // What the killed client had already written to its sockets still reaches the blobbers: wait
            // until they have taken it all in (two equal readings 200 ms apart).
            var heldBefore = stagedBytes()
            for _ in 0..<50 {
                try await Task.sleep(for: .milliseconds(200))
                let now = stagedBytes()
                if now == heldBefore { break }
                heldBefore = now
            }
            #expect(heldBefore > 0 && heldBefore < UInt64(size) * 3 / 2)

            // The second run sends each blobber only what it lacks, and the file reads back whole.
            let second = try await run("blob", ["upload", "--home", network.home.path, file.path, "/big.bin", "--json"])
            #expect(second.status == 0, "\(second.stdout) \(second.stderr)")
            let resumed = try #require(second.json["resumed_bytes"] as? Int)
            #expect(resumed > 0 && UInt64(resumed) <= heldBefore, "resumed \(resumed) of \(heldBefore) held")
            #expect((second.json["committed"] as? [String])?.count == 6)
            let back = network.root + "/big.back"
            let download = try await run("blob", ["download", "--home", network.home.path, "/big.bin", back])
            #expect(download.status == 0, "\(download.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(file.bytes))
            // Committed: nothing left to resume, nothing left staged.
            let entries = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: journal)))
            #expect((entries as? [String: Any])?.isEmpty == true)
            #expect(stagedBytes() == 0)
        }
    }

    @Test func directoryUploadListStatusAndDownloadThroughTheBinary() async throws {
        try await TestNetwork.with { network in
            let home = ["--home", network.home.path]
            let folder = network.root + "/photos"
            try FileManager.default.createDirectory(atPath: folder + "/2024", withIntermediateDirectories: true)
            let a = ShardEncoderTests.bytes(70_000, seed: 31)
            let b = ShardEncoderTests.bytes(1_200_000, seed: 32)
            try Data(a).write(to: URL(fileURLWithPath: folder + "/a.jpg"))
            try Data(b).write(to: URL(fileURLWithPath: folder + "/2024/b.jpg"))
            let upload = try await run("blob", ["upload"] + home + [folder, "/photos", "--json"])
            #expect(upload.status == 0, "\(upload.stdout) \(upload.stderr)")
            #expect(upload.json["files"] as? [String] == ["/photos/2024/b.jpg", "/photos/a.jpg"])
            #expect(upload.stderr.isEmpty, "no progress output when not on a terminal")

            let listing = try await run("blob", ["ls"] + home + ["/photos", "--json"])
            #expect(listing.json["directories"] as? [String] == ["2024/"])
            #expect(
                (listing.json["files"] as? [[String: Any]])?.compactMap { $0["path"] as? String } == ["/photos/a.jpg"])

            let status = try await run("blob", ["status"] + home + ["--json"])
            let rows = try #require(status.json["blobbers"] as? [[String: Any]])
            #expect(rows.count == 6)
            #expect(rows.allSatisfy { $0["agrees"] as? Bool == true && $0["sequence"] as? Int == 1 })
            let repair = try await run("blob", ["repair"] + home)
            #expect(repair.stdout.contains("nothing to repair"), "\(repair.stdout) \(repair.stderr)")

            let back = network.root + "/b.back"
            let download = try await run(
                "blob", ["download"] + home + ["/photos/2024/b.jpg", back, "--range", "1000-1999"])
            #expect(download.status == 0, "\(download.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(b[1000...1999]))

            let missing = try await run("blob", ["download"] + home + ["/photos/nope.jpg", back + "2", "--json"])
            #expect((missing.json["error"] as? [String: Any])?["code"] as? String == "client.remote_not_found")
            #expect(!FileManager.default.fileExists(atPath: back + "2"))
            let badPath = try await run("blob", ["rm"] + home + ["photos/a.jpg"])
            #expect(badPath.status == 1)
            #expect(badPath.stderr.contains("must start with /"), "\(badPath.stderr)")
        }
    }

    @Test func argumentsAreCheckedBeforeAnythingHappens() async throws {
        let home = temporaryDirectory("blob-args")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let badSize = try await run("blob", ["alloc", "new", "--home", home, "--size", "lots"])
        #expect(badSize.status != 0)
        #expect(badSize.stderr.contains("--size lots is not a size"), "\(badSize.stderr)")
        let badRange = try await run("blob", ["download", "--home", home, "/a", "b", "--range", "9-3"])
        #expect(badRange.stderr.contains("--range must be A-B"), "\(badRange.stderr)")
        let badRecipient = try await run("blob", ["share", "--home", home, "/a", "--to", "bob"])
        #expect(badRecipient.stderr.contains("--to must be a share address CLIENT_ID:SHARE_KEY or a 64-digit hex client id"), "\(badRecipient.stderr)")
        let noAllocation = try await run("blob", ["ls", "--home", home, "--ledger", "http://127.0.0.1:1", "--json"])
        #expect((noAllocation.json["error"] as? [String: Any])?["code"] as? String == "client.no_allocation")
        #expect(!FileManager.default.fileExists(atPath: home + "/wallet.json"))
    }
}
