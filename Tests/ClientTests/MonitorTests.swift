import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `blob monitor` as a real daemon over a real network of 8 blobbers (an allocation 4+2 and two spares):
/// a blobber killed for good is replaced through the ledger and the new one filled; bytes flipped on a
/// blobber's disk are found by the sampled audit and healed; the config reloads on SIGHUP; metrics pass
/// promtool; SIGTERM stops it.
@Suite(.serialized, .timeLimit(.minutes(4))) struct MonitorTests {
    @Test func aDeadBlobberIsReplacedAndDamageHealedWithoutBeingAsked() async throws {
        try await TestNetwork.with(data: 4, parity: 2, size: 256 << 20, spare: 2) { network in
            let home = ["--home", network.home.path, "--json"]
            // 50 files of 20–200 KB (one of 600 KB) in one directory upload.
            let folder = network.root + "/files"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var files: [String: [UInt8]] = [:]
            for index in 0..<50 {
                // The last is larger: its shards have three blocks (the damage goes into the second).
                let bytes = ShardEncoderTests.bytes(index == 49 ? 600_000 : 20_000 + index * 3_700, seed: UInt64(100 + index))
                try Data(bytes).write(to: URL(fileURLWithPath: folder + "/f\(index).bin"))
                files["/d/f\(index).bin"] = bytes
            }
            let upload = try await run("blob", ["upload"] + home + [folder, "/d"], timeout: 120)
            #expect(upload.status == 0, "\(upload.stdout) \(upload.stderr)")

            // Audits every file and block each round (the config), so damage is found in the next round.
            let config = network.root + "/monitor.yaml"
            try "interval: 1s\nreplace_after: 6s\naudit_files: 100\naudit_blocks: 4\n".write(
                toFile: config, atomically: true, encoding: .utf8)
            let metricsPort = TestPorts.reserve()
            let monitor = try ChildProcess(
                builtBinary("blob"),
                ["monitor", "--home", network.home.path, "--config", config, "--metrics", "127.0.0.1:\(metricsPort)"],
                unset: ["BLOB_HOME"])
            defer { monitor.kill9() }

            // kill -9 shard 2's blobber for good.
            let dead = try await network.session().blobbers[2].blobberID
            try await network.blobber(shard: 2).process.kill9()
            let replaced = try await eventually(timeout: 60) {
                let view = try await network.ledgerClient.allocation(network.allocation)
                guard !view.blobbers.contains(where: { $0.blobberID == dead }) else { return false }
                let status = try await run("blob", ["status"] + home)
                let rows = status.json["blobbers"] as? [[String: Any]] ?? []
                return rows.count == 6 && rows.allSatisfy { $0["agrees"] as? Bool == true && $0["health"] as? String == "healthy" }
            }
            #expect(replaced, "not replaced and repaired within 60 s: \(monitor.stderr.suffix(3000))")
            // Status names each blobber's region, free space and the monitor's last audit of it.
            let rows = try await run("blob", ["status"] + home).json["blobbers"] as? [[String: Any]] ?? []
            for row in rows {
                #expect((row["region"] as? String)?.isEmpty == false, "\(row)")
                #expect((row["node_free_bytes"] as? Int ?? 0) > 0, "\(row)")
                #expect((row["share_free_bytes"] as? Int ?? 0) > 0, "\(row)")
            }
            #expect(rows.filter { ($0["last_audit"] as? [String: Any])?["passed"] != nil }.count >= 5, "\(rows)")

            // Flip a byte in one stored shard: found by the audit and healed.
            try await network.corruptStoredShard(of: "/d/f49.bin", shard: 4)
            let healed = try await eventually(timeout: 40) {
                monitor.stderr.contains("shard 4: /d/f49.bin blocks") && monitor.stderr.contains("shard 4: rebuilt 1 file")
            }
            #expect(healed, "\(monitor.stderr.suffix(3000))")
            let check = try await run("blob", ["check"] + home + ["/d/f49.bin", "--verify"])
            #expect(check.json["healthy"] as? Bool == true, "\(check.stdout)")
            // The audit log says the damage was found, and the status that it is repaired.
            let afterHeal = try await run("blob", ["status"] + home).json["blobbers"] as? [[String: Any]] ?? []
            let shard4 = afterHeal.first { $0["shard_index"] as? Int == 4 }
            #expect(shard4?["health"] as? String == "healthy", "\(afterHeal)")
            let statusText = try await run("blob", ["status", "--home", network.home.path])
            #expect(statusText.stdout.contains("last audit") && statusText.stdout.contains("region"), "\(statusText.stdout)")

            // Metrics: the replacement, the failed audit, the rebuilt bytes; promtool accepts the text.
            let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(metricsPort)/metrics")!)
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.contains("blob_monitor_replacements_total{allocation=\"\(network.allocation.hex.prefix(16))\"} 1"), "\(text)")
            #expect(text.contains("outcome=\"failed\""), "\(text)")
            try await Promtool.expectAccepts(text)

            // SIGHUP reloads the config and says so; the monitor goes on.
            try "interval: 2s\nreplace_after: 1h\naudit_files: 2\n".write(toFile: config, atomically: true, encoding: .utf8)
            kill(monitor.pid, SIGHUP)
            #expect(try await eventually(timeout: 10) { monitor.stderr.contains("reloaded the config") })
            #expect(monitor.isRunning)

            // Every file reads byte-exact with two other blobbers stopped (shards 0 and 1).
            try await network.blobber(shard: 0).process.stop()
            try await network.blobber(shard: 1).process.stop()
            let session = try await network.session()
            let client = BlobClient(session: session)
            for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
                let out = network.root + "/out.bin"
                _ = try await client.download(try RemotePath.parse(path), to: out)
                #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(bytes), "\(path)")
            }

            // SIGTERM stops it cleanly.
            kill(monitor.pid, SIGTERM)
            #expect(await monitor.wait(timeout: 20) == 0, "\(monitor.stderr.suffix(2000))")
            #expect(monitor.stderr.contains("stopped"))

            // The ledger's log holds together.
            let verify = try await runProgram(builtBinary("ledger"), ["verify", "--data", network.ledger.directory])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
            #expect(verify.stdout.contains("supply conserved"), "\(verify.stdout)")
        }
    }

    /// Damage the sampled audit is told not to look for (`audit_files: 0`) is still found: the ledger's
    /// challenge to the damaged blobber fails, and the monitor then verifies every block that blobber holds
    /// and rebuilds what does not verify; a later round does not verify again for the same failure.
    @Test func aFailedLedgerChallengeMakesTheMonitorVerifyAndHealThatBlobber() async throws {
        try await TestNetwork.with(
            data: 4, parity: 2, size: 256 << 20, ledgerArguments: ["--challenge-interval", "1", "--challenge-timeout", "15"]
        ) { network in
            let home = ["--home", network.home.path, "--json"]
            var files: [String: [UInt8]] = [:]
            for index in 0..<3 {
                // Two stripes: every shard has two blocks, the damage goes into the second.
                let file = try network.localFile("c\(index).bin", size: 400_000 + index * 1000, seed: UInt64(300 + 2 * index))  // `bytes` ORs 1 into the seed
                let upload = try await run("blob", ["upload"] + home + [file.path, "/c/\(index).bin"], timeout: 120)
                #expect(upload.status == 0, "\(upload.stdout) \(upload.stderr)")
                files["/c/\(index).bin"] = file.bytes
            }
            for path in files.keys { try await network.corruptStoredShard(of: path, shard: 3) }
            let config = network.root + "/monitor.yaml"
            try "interval: 1s\nreplace_after: 1h\naudit_files: 0\n".write(toFile: config, atomically: true, encoding: .utf8)
            let monitor = try ChildProcess(
                builtBinary("blob"), ["monitor", "--home", network.home.path, "--config", config], unset: ["BLOB_HOME"])
            defer { monitor.kill9() }
            let healed = try await eventually(timeout: 120) {
                monitor.stderr.contains("shard 3: failed a ledger challenge") && monitor.stderr.contains("shard 3: rebuilt")
            }
            #expect(healed, "\(monitor.stderr.suffix(3000))")
            #expect(monitor.stderr.contains("shard 3: 3 file(s) with blocks that do not verify"), "\(monitor.stderr.split(separator: "\n").filter { $0.contains("shard 3") })")
            for path in files.keys.sorted() {
                let check = try await run("blob", ["check"] + home + [path, "--verify"])
                #expect(check.json["healthy"] as? Bool == true, "\(path): \(check.stdout)")
            }
            // The failure is answered: the next rounds do not verify the blobber again for it.
            let verifications = monitor.stderr.components(separatedBy: "shard 3: failed a ledger challenge").count
            try await Task.sleep(for: .seconds(3))
            let failedAgain = try await network.ledgerClient.failedChallenges(of: try await network.session().blobbers[3].blobberID)
            if failedAgain.count == 1 {
                #expect(monitor.stderr.components(separatedBy: "shard 3: failed a ledger challenge").count == verifications)
            }
            kill(monitor.pid, SIGTERM)
            #expect(await monitor.wait(timeout: 20) == 0, "\(monitor.stderr.suffix(2000))")
        }
    }

    /// kill -9 of the monitor while it fills a replacement: the next monitor finishes the job, and the
    /// allocation ends whole (every blobber agreeing, every block verifying).
    @Test func aMonitorKilledMidRepairIsFinishedByTheNextOne() async throws {
        try await TestNetwork.with(data: 2, parity: 1, size: 512 << 20, spare: 1) { network in
            let home = ["--home", network.home.path, "--json"]
            let file = try network.localFile("big.bin", size: 96 << 20, seed: 9)
            #expect(try await run("blob", ["upload"] + home + [file.path, "/big.bin"], timeout: 120).status == 0)
            let spare = network.blobberDirectories[3]
            let staging = spare + "/staging/\(network.allocation.hex)"
            func stagedBytes() -> UInt64 {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []
                return names.reduce(0) { sum, name in
                    sum + ((try? FileManager.default.attributesOfItem(atPath: staging + "/" + name)[.size] as? UInt64) ?? 0)
                }
            }
            let arguments = ["monitor", "--home", network.home.path, "--interval", "1s", "--replace-after", "2s"]
            let first = try ChildProcess(builtBinary("blob"), arguments, unset: ["BLOB_HOME"])
            defer { first.kill9() }
            try await network.blobber(shard: 1).process.kill9()
            // Killed once the replacement has some of its shard staged, long before all of it.
            let cut = try await eventually(timeout: 60) { stagedBytes() > 0 }
            first.kill9()
            #expect(cut, "the replacement was never seen filling: \(first.stderr.suffix(2000))")
            _ = await first.wait(timeout: 10)

            let second = try ChildProcess(builtBinary("blob"), arguments, unset: ["BLOB_HOME"])
            defer { second.kill9() }
            let whole = try await eventually(timeout: 90) {
                let status = try await run("blob", ["status"] + home)
                let rows = status.json["blobbers"] as? [[String: Any]] ?? []
                return rows.count == 3 && rows.allSatisfy { $0["agrees"] as? Bool == true }
            }
            #expect(whole, "\(second.stderr.suffix(3000))")
            kill(second.pid, SIGTERM)
            #expect(await second.wait(timeout: 20) == 0)
            let check = try await run("blob", ["check"] + home + ["/big.bin", "--verify"])
            #expect(check.json["healthy"] as? Bool == true, "\(check.stdout)")
            let view = try await network.ledgerClient.allocation(network.allocation)
            #expect(view.blobbers.count == 3)
        }
    }
}
