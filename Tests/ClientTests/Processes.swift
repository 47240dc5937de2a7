import Foundation
import Synchronization
import Testing

/// The real executables built next to the test bundle.
enum Binaries {
    static func url(_ name: String) -> URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundle.appendingPathComponent(name),
            Bundle.main.bundleURL.appendingPathComponent(name),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }
}

struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout parsed as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
    }
}

/// Runs `name arguments...` to completion (killed by PID after `timeout` seconds).
func run(
    _ name: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 60
) async throws -> Outcome {
    let process = Process()
    process.executableURL = Binaries.url(name)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "BLOB_HOME")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let stdout = TestLocked(Data())
    let stderr = TestLocked(Data())
    out.fileHandleForReading.readabilityHandler = { handle in
        let data = handle.availableData
        if data.isEmpty { handle.readabilityHandler = nil } else { stdout.withLock { $0.append(data) } }
    }
    err.fileHandleForReading.readabilityHandler = { handle in
        let data = handle.availableData
        if data.isEmpty { handle.readabilityHandler = nil } else { stderr.withLock { $0.append(data) } }
    }
    try process.run()
    let pid = process.processIdentifier
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
    if process.isRunning {
        kill(pid, SIGKILL)
        process.waitUntilExit()
        Issue.record("\(name) \(arguments) timed out")
    }
    // Let the pipe handlers drain (bounded).
    for _ in 0..<100 {
        if out.fileHandleForReading.readabilityHandler == nil && err.fileHandleForReading.readabilityHandler == nil {
            break
        }
        try await Task.sleep(for: .milliseconds(5))
    }
    out.fileHandleForReading.readabilityHandler = nil
    err.fileHandleForReading.readabilityHandler = nil
    return Outcome(
        status: process.terminationStatus, stdout: String(decoding: stdout.withLock { $0 }, as: UTF8.self),
        stderr: String(decoding: stderr.withLock { $0 }, as: UTF8.self))
}

/// A long-running server process on 127.0.0.1 that prints `listening on http://127.0.0.1:PORT`.
final class ServerProcess: Sendable {
    let process: Process
    let output = TestLocked("")
    let pid: Int32

    init(_ name: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = Binaries.url(name)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        self.process = process
        try process.run()
        pid = process.processIdentifier
        let output = self.output
        out.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            output.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
    }

    /// Waits (bounded) for the listening line and returns the port.
    func port(timeout: Double = 30) async throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = output.withLock { $0 }
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on http://127.0.0.1:") }),
                let port = Int(line.split(separator: ":").last ?? "")
            {
                return port
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("server did not report its port: \(output.withLock { $0 })")
    }

    /// SIGTERM, then SIGKILL by PID after a bounded wait.
    func stop() async {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL) }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

final class TestLocked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R { try mutex.withLock { try body(&$0) } }
}

/// A fresh temporary folder.
func temporaryDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A real ledger process (`ledger serve --faucet`) in a temporary folder; `stop()` kills it by PID.
final class LedgerProcess: Sendable {
    private let server: TestLocked<ServerProcess>
    let directory: String
    let url: String
    let port: Int

    static func start() async throws -> LedgerProcess {
        let directory = temporaryDirectory("client-ledger")
        let server = try ServerProcess(
            "ledger", ["serve", "--data", directory, "--port", "0", "--host", "127.0.0.1", "--faucet"])
        do {
            let port = try await server.port()
            return LedgerProcess(server: server, directory: directory, port: port)
        } catch {
            await server.stop()
            throw error
        }
    }

    private init(server: ServerProcess, directory: String, port: Int) {
        self.server = TestLocked(server)
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
