import AsyncHTTPClient
import Foundation
import Ledger
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// What an operator sees of a running `ledger serve`: JSON log lines (each applied transaction at
/// debug, each refusal at info), `/metrics` that `promtool check metrics` accepts without a warning,
/// and SIGHUP/SIGUSR1 reloads that never stop it.
@Suite struct TelemetryTests {
    @Test func jsonLogsLintFreeMetricsAndReloadSignals() async throws {
        let directory = temporaryDirectory("telemetry")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServerProcess(directory: directory, extra: ["--log-format", "json", "--log-level", "debug"])
        defer { server.kill9() }
        let http = LedgerHTTP(client: .shared, base: "http://127.0.0.1:\(try await server.port())")

        let key = TestNetwork.key("telemetry")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let good = LedgerTransaction.make(.faucet, payload: FaucetPayload(amount: 5), key: key, nonce: 1, timestamp: now)
        #expect(try await http.submit(good).status == 200)
        var forged = LedgerTransaction.make(.faucet, payload: FaucetPayload(amount: 6), key: key, nonce: 2, timestamp: now)
        forged.nonce = 3
        #expect(try await http.submit(forged).status == 401)
        #expect(try await http.get("/v1/blocks/x").status == 400)

        // SIGHUP and SIGUSR1 are reloads: logged, and the ledger keeps answering.
        for signal in [SIGHUP, SIGUSR1] {
            #expect(kill(server.pid, signal) == 0)
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.isRunning, "signal \(signal) stopped the ledger")
            #expect(try await http.get("/health").status == 200)
        }

        let metrics = try await http.get("/metrics")
        #expect(metrics.status == 200)
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(text.contains("ledger_transactions_total{"))
        #expect(text.contains("ledger_refusals_total{code=\"tx.bad_signature\"} 1"))
        #expect(text.contains("# HELP hb_requests_total HTTP requests answered"))
        try await Promtool.expectAccepts(text)

        // Every stderr line is one JSON object; the applied transaction at debug, the refusal at info.
        let reloaded = try await eventually(timeout: 10) {
            server.child.stderr.components(separatedBy: "reload requested").count - 1 >= 2
        }
        #expect(reloaded, "both signals logged a reload")
        let lines = server.child.stderr.split(separator: "\n").map(String.init)
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(objects.count == lines.count, "lines that are not JSON: \(lines.filter { !$0.hasPrefix("{") }.prefix(3))")
        #expect(objects.contains { $0["message"] == "applied" && $0["level"] == "debug" && $0["tx.hash"] == good.hash.hex })
        #expect(objects.contains { $0["message"] == "refused" && $0["level"] == "info" && $0["error.code"] == "tx.bad_signature" })
        #expect(objects.allSatisfy { $0["time"] != nil && $0["label"] != nil })
    }

    @Test func badLoggingOptionsAreRefusedBeforeAnythingStarts() async throws {
        let directory = temporaryDirectory("telemetry-bad")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for extra in [["--log-format", "xml"], ["--log-level", "loud"]] {
            let outcome = try await runProgram(
                builtBinary("ledger"), ["serve", "--data", directory, "--port", "0"] + extra, timeout: 30)
            #expect(outcome.status != 0)
            #expect(outcome.stderr.contains(extra[0]))
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/ledger.sqlite"))
    }
}
