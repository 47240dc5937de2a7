import Foundation
import Synchronization
import Testing

/// A binary built next to the test bundle (`ledger`, `blobber`).
func binary(_ name: String) -> URL {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [
        bundle.appendingPathComponent(name),
        Bundle.main.bundleURL.appendingPathComponent(name),
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
}

/// A fresh temporary folder.
func temporaryDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Text collected from a pipe on another thread.
final class TextBuffer: Sendable {
    private let text = Mutex<String>("")
    func withLock<R>(_ body: (inout String) -> R) -> R { text.withLock { body(&$0) } }
}

struct ProcessFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs `name arguments...` to completion (bounded) and returns its stdout.
func runToCompletion(_ name: String, _ arguments: [String], timeout: Double = 60) throws -> (
    status: Int32, stdout: String
) {
    let process = Process()
    process.executableURL = binary(name)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let pid = process.processIdentifier
    defer { if process.isRunning { kill(pid, SIGKILL) } }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    if process.isRunning {
        kill(pid, SIGKILL)
        process.waitUntilExit()
        throw ProcessFailure(description: "\(name) \(arguments) timed out")
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A real server process (`ledger serve` or `blobber serve`) that prints `listening on http://HOST:PORT`.
final class ServerProcess: Sendable {
    let process: Process
    let output = TextBuffer()
    let pid: Int32
    let name: String

    init(_ name: String, _ arguments: [String]) throws {
        self.name = name
        let process = Process()
        process.executableURL = binary(name)
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

    /// Waits (bounded) for the `listening on` line and returns the port.
    func port(timeout: Double = 60) async throws -> Int {
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
        throw ProcessFailure(description: "\(name) did not report its port: \(output.withLock { $0 })")
    }

    func kill9() {
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL after `timeout`. True on a graceful exit.
    @discardableResult
    func stop(timeout: Double = 15) async -> Bool {
        guard process.isRunning else { return true }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill9()
            return false
        }
        return true
    }

    deinit {
        if process.isRunning { kill(pid, SIGKILL) }
    }
}

/// Polls `condition` every 50 ms for at most `timeout` seconds.
func eventually(timeout: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return false
}
