import Foundation
import Testing

/// Runs the real `ledger` binary built next to the test bundle.
enum LedgerBinary {
    static var url: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundle.appendingPathComponent("ledger"),
            Bundle.main.bundleURL.appendingPathComponent("ledger"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("ledger"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `ledger arguments...` to completion, killing it after `timeout` seconds.
    static func run(_ arguments: [String], timeout: Double = 60) throws -> Outcome {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let pid = process.processIdentifier
        defer { if process.isRunning { kill(pid, SIGKILL) } }
        let deadline = Date().addingTimeInterval(timeout)
        // Drain the pipes while waiting so a chatty child never blocks.
        var stdout = Data()
        var stderr = Data()
        while process.isRunning && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            Issue.record("ledger \(arguments) timed out")
        }
        stdout = out.fileHandleForReading.readDataToEndOfFile()
        stderr = err.fileHandleForReading.readDataToEndOfFile()
        return Outcome(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A fresh temporary folder, removed by the caller.
func temporaryDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
