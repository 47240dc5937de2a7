public import Foundation

/// A real server (`ledger serve`, `blobber serve`) built next to the test bundle, started with
/// `--port 0` or a fixed port, that prints `listening on http://127.0.0.1:PORT` once bound.
public final class ServerProcess: Sendable {
    public let child: ChildProcess

    public init(_ name: String, _ arguments: [String]) throws {
        child = try ChildProcess(builtBinary(name), arguments)
    }

    public var pid: pid_t { child.pid }
    public var isRunning: Bool { child.isRunning }
    public var exitStatus: Int32? { child.exitStatus }
    /// Standard output so far.
    public var output: String { child.stdout }

    /// Waits (bounded) for the `listening on` line and returns the port.
    public func port(timeout: Double = 60) async throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let line = output.split(separator: "\n").first { $0.hasPrefix("listening on http://127.0.0.1:") }
            if let line, let port = Int(line.split(separator: ":").last ?? "") { return port }
            guard child.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("\(child.description) did not report its port: \(output) \(child.stderr.suffix(2000))")
    }

    public func kill9() { child.kill9() }

    /// SIGTERM, then SIGKILL after `timeout`. True on a graceful exit.
    @discardableResult
    public func stop(timeout: Double = 15) async -> Bool { await child.stop(timeout: timeout) }
}
