import Foundation
import TestProcesses
import Testing

/// The testnet scripts as a user runs them: `testnet/demo` to the end on a new and on a reused network,
/// `testnet/up` again after a partial failure.
@Suite("testnet scripts", .serialized)
struct TestnetScriptTests {
    @Test("demo runs to the end twice; up after a partial failure starts only what is missing")
    func demoAndRestart() async throws {
        let net = try await Testnet(blobbers: 6)
        do {
            let first = try await Testnet.script("demo", ["--data", net.data], timeout: 600)
            #expect(first.status == 0, "demo on a new network: \(TestnetError.failed("testnet/demo", first))")
            #expect(first.stdout.contains("the bytes are identical"))
            #expect(first.stdout.contains("recent blocks"))

            // A partial failure: the ledger and one blobber die. `up` again keeps the five that run
            // (same PIDs) and starts the two that are missing.
            let survivor = try pid(net.data + "/blobber1/blobber.pid")
            kill(try pid(net.data + "/ledger/ledger.pid"), SIGKILL)
            kill(try pid(net.data + "/blobber3/blobber.pid"), SIGKILL)
            try await Task.sleep(for: .milliseconds(300))
            let again = try await Testnet.script(
                "up",
                ["--bin", Testnet.binaries, "--data", net.data, "--base-port", "\(net.basePort)", "--blobbers", "6"],
                timeout: 180)
            #expect(again.status == 0, "\(TestnetError.failed("testnet/up again", again))")
            #expect(again.stdout.contains("export BLOB_HOME=\(net.home) TESTNET_DATA=\(net.data)"))
            #expect(again.stderr.contains("blobber1 already listening"))
            #expect(try pid(net.data + "/blobber1/blobber.pid") == survivor)
            for index in 1...6 {
                #expect(kill(try pid(net.data + "/blobber\(index)/blobber.pid"), 0) == 0, "blobber\(index) runs")
            }
            #expect(kill(try pid(net.data + "/ledger/ledger.pid"), 0) == 0, "the ledger runs")

            // The whole network up: a third `up` refuses and changes nothing.
            let third = try await Testnet.script(
                "up",
                ["--bin", Testnet.binaries, "--data", net.data, "--base-port", "\(net.basePort)", "--blobbers", "6"],
                timeout: 60)
            #expect(third.status != 0)
            #expect(third.stderr.contains("a network already runs"))

            // A blobber left stopped (as an interrupted demo leaves one): the demo starts it and runs again.
            try await net.ctl("stop", 6)
            let second = try await Testnet.script("demo", ["--data", net.data], timeout: 600)
            #expect(second.status == 0, "demo on a reused network: \(TestnetError.failed("testnet/demo", second))")
            #expect(second.stdout.contains("the bytes are identical"))
        } catch {
            await net.down()
            throw error
        }
        await net.down()
    }

    private func pid(_ file: String) throws -> pid_t {
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(pid_t(text), "a PID in \(file)")
    }
}
