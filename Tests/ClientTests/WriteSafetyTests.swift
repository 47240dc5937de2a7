import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// No reported success without a commit, and one writer at a time per allocation and wallet folder
/// (docs/PROTOCOL.md 10.3), through the `blob` binary over real processes.
@Suite(.serialized) struct WriteSafetyTests {
    @Test func everyBlobberKilledBetweenStagingAndCommitFailsTheUploadWithConsensusFailed() async throws {
        try await TestNetwork.with { network in
            let file = try network.localFile("doomed.bin", size: 100_000, seed: 51)
            let pause = network.root + "/pause"
            let upload = try ChildProcess(
                builtBinary("blob"), ["upload", "--home", network.home.path, file.path, "/doomed.bin", "--json"],
                environment: ["BLOB_TEST_PAUSE_BEFORE_COMMIT": pause], unset: ["BLOB_HOME"])
            // Every blobber staged the file; the client waits before its first commit.
            let staged = try await eventually(timeout: 60) { FileManager.default.fileExists(atPath: pause) }
            #expect(staged, "the upload never finished staging: \(upload.stderr)")
            for server in network.blobbers { server.kill9() }
            try FileManager.default.removeItem(atPath: pause)
            let status = await upload.wait(timeout: 60)
            #expect(status == 1, "\(upload.stdout) \(upload.stderr)")
            let outcome = ProgramOutcome(status: status ?? -1, stdout: upload.stdout, stderr: upload.stderr)
            #expect((outcome.json["error"] as? [String: Any])?["code"] as? String == "client.consensus_failed")
            #expect(outcome.json["committed"] == nil)
            // Nothing was recorded as signed and accepted.
            let record = network.home.path + "/allocations/\(network.allocation.hex).json"
            let markers = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: record))))
                as? [String: Any]
            let recorded = markers?["markers"] as? [String: Any]
            #expect(recorded?.isEmpty ?? true)
        }
    }

    @Test func concurrentWritersSharingAWalletAreSerialisedAndABusyLockIsRefusedClearly() async throws {
        try await TestNetwork.with { network in
            let home = ["--home", network.home.path]
            let files = try (0..<4).map { try network.localFile("c\($0).bin", size: 20_000 + $0 * 70_001, seed: 60 + UInt64($0)) }
            let seed = try await run("blob", ["upload"] + home + [files[0].path, "/seed.bin", "--json"])
            #expect(seed.status == 0, "\(seed.stderr)")
            // Four uploads and a rename, five processes at once on one wallet folder.
            var writers = try files.indices.map { index in
                try ChildProcess(
                    builtBinary("blob"), ["upload"] + home + [files[index].path, "/c\(index).bin", "--json"],
                    unset: ["BLOB_HOME"])
            }
            writers.append(
                try ChildProcess(builtBinary("blob"), ["mv"] + home + ["/seed.bin", "/moved.bin", "--json"], unset: ["BLOB_HOME"]))
            for writer in writers {
                let status = await writer.wait(timeout: 120)
                #expect(status == 0, "\(writer.description): \(writer.stdout) \(writer.stderr)")
                if writer.description.contains("upload") {
                    let json = ProgramOutcome(status: 0, stdout: writer.stdout, stderr: "").json
                    #expect((json["committed"] as? [String])?.count == 6, "\(writer.stdout)")
                }
            }
            // Every reported success happened, on every blobber, with no split.
            let session = try await network.session()
            let status = await AllocationStatus.gather(session)
            #expect(status.blobbers.allSatisfy { $0.reachable && $0.agrees && $0.sequence == 6 }, "\(status.blobbers)")
            let listing = try await FileOperations(session: session).list("/")
            #expect(listing.files.map(\.path) == ["/c0.bin", "/c1.bin", "/c2.bin", "/c3.bin", "/moved.bin"])
            for (index, file) in files.enumerated() {
                let back = network.root + "/c\(index).back"
                _ = try await Downloader(session: session).download(try RemotePath("/c\(index).bin"), to: back)
                #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(file.bytes))
            }

            // A writer that cannot take the lock within --lock-wait is refused and changes nothing.
            let lockPath = network.home.path + "/allocations/\(network.allocation.hex).lock"
            let descriptor = open(lockPath, O_RDWR | O_CREAT, 0o600)
            #expect(descriptor >= 0)
            #expect(flock(descriptor, LOCK_EX) == 0)
            let heads = try await network.heads()
            let busy = try await run(
                "blob", ["upload"] + home + [files[1].path, "/busy.bin", "--lock-wait", "0.5", "--json"])
            let removal = try await run("blob", ["rm"] + home + ["/c0.bin", "--lock-wait", "0.2", "--json"])
            close(descriptor)
            for refused in [busy, removal] {
                #expect(refused.status == 1)
                #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "client.allocation_busy")
            }
            #expect(try await network.heads() == heads)
            // Free again, the same upload goes through.
            let retried = try await run("blob", ["upload"] + home + [files[1].path, "/busy.bin", "--json"])
            #expect(retried.status == 0, "\(retried.stderr)")
        }
    }
}
