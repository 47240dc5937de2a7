import Foundation
import Merkle
import NIOHTTP1
import StorageProtocol
import TestProcesses
import Testing

/// What an operator sees of a running `blobber serve`: `/metrics` that `promtool check metrics` accepts
/// without a warning, with per-route latency histograms labelled by route template, error answers by
/// code, storage gauges and challenges by outcome; JSON log lines; and SIGHUP/SIGUSR1 reloads of the log
/// level, capacity and prices that never stop it.
@Suite("Blobber telemetry", .timeLimit(.minutes(3)))
struct BlobberTelemetryTests {
    @Test("metrics: lint-free, route templates, error codes, storage gauges, markers pending, challenges")
    func metricsOverTheWire() async throws {
        // Chains of 2 and no time-outs: two puts reach the ledger (which challenges them), the third waits.
        let (ledger, blobber, start) = try await startAllocation(
            challengeInterval: 1,
            blobberExtra: ["--batch-max-markers", "2", "--batch-idle", "600", "--batch-max-age", "600"])
        var owner = start
        defer { Task { await stopAll(ledger, blobber) } }
        try await owner.put("/a", blocks: 2, seed: 1)
        try await owner.put("/b", blocks: 3, seed: 2)
        try await owner.put("/c", blocks: 1, seed: 3)
        // One whole block of a two-block shard, never committed.
        #expect(try await owner.upload("staged", shardBytes(1, seed: 4), shardSize: 2 * 65536).status == 200)
        // Refusals: a stranger's request, a stale one, an unknown route.
        let stranger = try await owner.request(.GET, "\(owner.base)/state", signer: SigningKey.generate())
        #expect(stranger.code == "auth.not_owner")
        let stale = try await owner.request(.GET, "\(owner.base)/state", time: nowMillis() - 3_600_000)
        #expect(stale.code == "auth.stale")
        #expect(try await call(.GET, blobber.url + "/no/such/route").code == "request.not_found")

        var text = ""
        let challenged = try await eventually(timeout: 60) {
            text = String(decoding: try await call(.GET, blobber.url + "/metrics").body, as: UTF8.self)
            return (Self.sample(text, "blobber_challenges_total{outcome=\"passed\"}") ?? 0) >= 1
        }
        #expect(challenged, "no challenge passed:\n\(text.suffix(3000))")
        let id = "{blobber_id=\"\(blobber.id.hex)\"}"
        let capacity = Double(10 << 30)
        #expect(Self.sample(text, "blobber_capacity_bytes" + id) == capacity)
        #expect(Self.sample(text, "blobber_stored_bytes" + id) == Double(6 * 65536))
        #expect(Self.sample(text, "blobber_staged_bytes" + id) == 65536)
        #expect(Self.sample(text, "blobber_free_bytes" + id) == capacity - 7 * 65536)
        #expect(Self.sample(text, "blobber_markers_pending") == 1)
        #expect(Self.sample(text, "blobber_challenges_total{outcome=\"failed\"}") == 0)
        #expect(Self.sample(text, "blobber_challenges_total{outcome=\"unanswerable\"}") == 0)
        #expect(Self.sample(text, "blobber_errors_total{code=\"auth.not_owner\"}") == 1)
        #expect(Self.sample(text, "blobber_errors_total{code=\"auth.stale\"}") == 1)
        #expect(Self.sample(text, "blobber_errors_total{code=\"request.not_found\"}") == 1)
        // Per-route latency histograms and counts, labelled by the route template: no allocation id appears.
        #expect(text.contains("http_server_request_duration_bucket{"))
        #expect(text.contains("http_route=\"/v1/allocations/{a}/commit\""))
        #expect(text.contains("http_route=\"/v1/allocations/{a}/uploads/{u}\""))
        #expect(!text.contains(owner.allocation.hex), "a raw path reached a label")
        #expect(text.contains("# HELP blobber_errors_total Error answers, by stable error code"))
        try await Self.expectPromtoolAccepts(text)
    }

    @Test("json logs; SIGHUP reloads log level and capacity from the file (update_blobber), SIGUSR1 too")
    func jsonLogsAndReloads() async throws {
        let ledger = try await TestLedger.start()
        let folder = temporaryDirectory("blobber-telemetry")
        let initialized = try await runProgram(builtBinary("blobber"), ["init", "--data", folder, "--ledger-url", ledger.url])
        #expect(initialized.status == 0)
        let config = folder + "/blobber.yaml"
        let yaml = try String(contentsOfFile: config, encoding: .utf8)
        #expect(yaml.contains("\nlog_level: info\n") && yaml.contains("\ncapacity: \(10 << 30)\n"))
        let server = try ServerProcess(
            "blobber",
            ["serve", "--config", config, "--port", "0", "--stake", "0", "--log-format", "json"])
        defer { server.kill9() }
        let url = "http://127.0.0.1:\(try await server.port())"
        let id = try KeyFile.read(from: folder + "/blobber-key.json").publicKey.blobberID
        #expect(try await ledger.blobber(id)?.capacity == 10 << 30)

        // SIGHUP after a new level and capacity in the file: both taken, the ledger told, one line logged.
        try yaml.replacingOccurrences(of: "\nlog_level: info\n", with: "\nlog_level: debug\n")
            .replacingOccurrences(of: "\ncapacity: \(10 << 30)\n", with: "\ncapacity: \(5 << 30)\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        #expect(kill(server.pid, SIGHUP) == 0)
        #expect(try await eventually(timeout: 20) { try await ledger.blobber(id)?.capacity == 5 << 30 })
        // SIGUSR1 with nothing new: a reload that changes nothing, and the blobber lives on.
        #expect(try await eventually(timeout: 20) { Self.logLines(server).contains { $0["message"] == "reloaded" } })
        #expect(kill(server.pid, SIGUSR1) == 0)
        #expect(
            try await eventually(timeout: 20) {
                Self.logLines(server).contains { $0["message"] == "reloaded" && $0["reload.changed"] == "nothing" }
            })
        #expect(server.isRunning, "a reload signal stopped the blobber")
        #expect(try await call(.GET, url + "/health").status == 200)
        let info = try await call(.GET, url + "/v1/info").decode(BlobberInfo.self)
        #expect(info.capacity == 5 << 30)
        let metrics = String(decoding: try await call(.GET, url + "/metrics").body, as: UTF8.self)
        #expect(Self.sample(metrics, "blobber_capacity_bytes{blobber_id=\"\(id.hex)\"}") == Double(5 << 30))

        // Every stderr line is one JSON object; the reload said what changed; debug lines only after it.
        let lines = server.child.stderr.split(separator: "\n")
        let objects = Self.logLines(server)
        #expect(objects.count == lines.count, "lines that are not JSON: \(lines.filter { !$0.hasPrefix("{") }.prefix(3))")
        #expect(objects.allSatisfy { $0["time"] != nil && $0["label"] != nil && $0["level"] != nil })
        #expect(objects.filter { $0["message"] == "reload requested" }.count == 2)
        let first = try #require(objects.firstIndex { $0["message"] == "reloaded" })
        #expect(objects[first]["reload.changed"] == "capacity,log_level")
        #expect(objects[first]["blobber.capacity"] == "\(5 << 30)")
        #expect(!objects[..<first].contains { $0["level"] == "debug" })
        #expect(objects[first...].contains { $0["level"] == "debug" })

        // A reload whose file no longer loads changes nothing and is logged; the blobber keeps running.
        try "data_dir: [".write(toFile: config, atomically: true, encoding: .utf8)
        #expect(kill(server.pid, SIGHUP) == 0)
        #expect(
            try await eventually(timeout: 20) {
                Self.logLines(server).contains { $0["message"] == "reload failed, nothing changed" }
            })
        #expect(server.isRunning)
        #expect(try await call(.GET, url + "/health").status == 200)
        #expect(await server.stop())
        await ledger.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    static func logLines(_ server: ServerProcess) -> [[String: String]] {
        server.child.stderr.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
    }

    /// The value of the sample whose name and labels are exactly `series`.
    static func sample(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").lazy.compactMap { line -> Double? in
            guard line.hasPrefix(series + " ") else { return nil }
            return Double(line.dropFirst(series.count + 1))
        }.first
    }

    /// `promtool check metrics` on `text`: exit 0 and nothing said. Without promtool the check is skipped
    /// with a message, unless BLOB_TEST_REQUIRE_TOOLS=1 (scripts/test.sh installs it) makes that a failure.
    static func expectPromtoolAccepts(_ text: String) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") else {
            let required = ProcessInfo.processInfo.environment["BLOB_TEST_REQUIRE_TOOLS"] == "1"
            #expect(!required, "promtool is not installed (apt-get install prometheus)")
            print("BlobberTelemetryTests: promtool is not installed; the lint was skipped")
            return
        }
        let folder = temporaryDirectory("metrics")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/metrics.txt"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try await runProgram(
            "/bin/sh", ["-c", "/usr/bin/promtool check metrics < \"$0\"", file], timeout: 60)
        #expect(
            outcome.status == 0 && outcome.stdout.isEmpty && outcome.stderr.isEmpty,
            "promtool check metrics: \(outcome.stdout) \(outcome.stderr)")
    }
}
