import Foundation
import TestProcesses

/// Runs a binary built next to the test bundle (`blob`, `ledger`, `blobber`) to completion, without
/// the developer's own `BLOB_HOME`.
func run(
    _ name: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 60
) async throws -> ProgramOutcome {
    try await runProgram(builtBinary(name), arguments, environment: environment, unset: ["BLOB_HOME"], timeout: timeout)
}

/// A real ledger process (`ledger serve --faucet`) in a temporary folder; `stop()` kills it by PID.
final class LedgerProcess: Sendable {
    private let server: Locked<ServerProcess>
    let directory: String
    let url: String
    let port: Int

    static func start(arguments: [String] = []) async throws -> LedgerProcess {
        let directory = temporaryDirectory("client-ledger")
        let server = try ServerProcess(
            "ledger",
            ["serve", "--data", directory, "--port", String(TestPorts.reserve()), "--host", "127.0.0.1", "--faucet"]
                + arguments)
        do {
            let port = try await server.port()
            return LedgerProcess(server: server, directory: directory, port: port)
        } catch {
            await server.stop()
            throw error
        }
    }

    private init(server: ServerProcess, directory: String, port: Int) {
        self.server = Locked(server)
        self.directory = directory
        self.port = port
        self.url = "http://127.0.0.1:\(port)"
    }

    /// Stops the process, keeping its data.
    func pause() async {
        await server.withLock { $0 }.stop()
    }

    /// Starts it again on the same port over the same data.
    func resume() async throws {
        let fresh = try ServerProcess(
            "ledger", ["serve", "--data", directory, "--port", String(port), "--host", "127.0.0.1", "--faucet"])
        server.withLock { $0 = fresh }
        _ = try await fresh.port()
    }

    func stop() async {
        await server.withLock { $0 }.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
