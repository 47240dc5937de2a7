public import Foundation
import Synchronization

/// A program the tests start, spawned with `posix_spawn` and reaped with `waitpid` by its PID.
/// Foundation's `Process` is not used: on Linux its `waitUntilExit()` can spin forever off the main
/// thread and it can leave a finished child unreaped. Standard output and error go to files, so a
/// chatty child never blocks on a full pipe; the files are removed when the object goes away, and a
/// child still running then is killed.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let description: String
    private let stdoutPath: String
    private let stderrPath: String
    private let exit = Mutex<Int32?>(nil)

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], unset: [String] = [])
        throws
    {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)").path
        stdoutPath = base + ".stdout"
        stderrPath = base + ".stderr"
        var env = ProcessInfo.processInfo.environment
        for name in unset { env.removeValue(forKey: name) }
        for (key, value) in environment { env[key] = value }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard result == 0 else { throw TestFailure("cannot start \(executable): error \(result)") }
        pid = child
        LiveChildren.add(child)
        description = ([URL(fileURLWithPath: executable).lastPathComponent] + arguments).joined(separator: " ")
    }

    /// The exit status (128 + signal for a signal), or nil while the child runs.
    public var exitStatus: Int32? {
        exit.withLock { known in
            if let known { return known }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
            LiveChildren.remove(pid)
            known = Self.decode(status)
            return known
        }
    }

    /// WIFEXITED / WEXITSTATUS spelled out (the C macros are not imported): the exit code, or
    /// 128 + the signal that ended the child.
    private static func decode(_ status: Int32) -> Int32 {
        status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    public var isRunning: Bool { exitStatus == nil }

    /// What the child wrote so far.
    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits at most `timeout` seconds for the child to exit; its status, or nil if it still runs.
    @discardableResult
    public func wait(timeout: Double) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = exitStatus { return status }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return exitStatus
    }

    /// SIGKILL, and reaps the child (a killed child exits at once, so the wait is short).
    public func kill9() {
        exit.withLock { known in
            guard known == nil else { return }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            if waitpid(pid, &status, 0) == pid {
                LiveChildren.remove(pid)
                known = Self.decode(status)
            }
        }
    }

    /// SIGTERM, then SIGKILL after `timeout` seconds. True when the child exited on SIGTERM alone.
    @discardableResult
    public func stop(timeout: Double = 15) async -> Bool {
        guard isRunning else { return true }
        kill(pid, SIGTERM)
        if await wait(timeout: timeout) != nil { return true }
        kill9()
        return false
    }

    deinit {
        kill9()
        try? FileManager.default.removeItem(atPath: stdoutPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}

/// Every child started and not yet reaped, killed when the test process exits: a server a test left
/// running (a cleanup task that never ran before the exit, a test that failed before its stop) does not
/// outlive the run. Reaped children leave the set, so a recycled PID is never signalled.
enum LiveChildren {
    private static let pids = Mutex<Set<pid_t>>([])
    private static let installed: Void = {
        atexit {
            for pid in LiveChildren.pids.withLock({ $0 }) { kill(pid, SIGKILL) }
        }
    }()

    static func add(_ pid: pid_t) {
        _ = installed
        pids.withLock { _ = $0.insert(pid) }
    }

    static func remove(_ pid: pid_t) {
        pids.withLock { _ = $0.remove(pid) }
    }
}

/// A test's own failure with a message (a process that would not start, a refused setup step).
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A value shared between a test and the tasks it starts.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    public init(_ value: Value) { mutex = Mutex(value) }
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R { try mutex.withLock { try body(&$0) } }
}

/// How a program run to completion ended.
public struct ProgramOutcome: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// stdout parsed as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
    }
}

/// Runs `executable arguments...` to completion; after `timeout` seconds it is killed by its PID and
/// the run fails with `TestFailure`.
public func runProgram(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], unset: [String] = [],
    timeout: Double = 60
) async throws -> ProgramOutcome {
    let child = try ChildProcess(executable, arguments, environment: environment, unset: unset)
    guard let status = await child.wait(timeout: timeout) else {
        child.kill9()
        throw TestFailure("\(child.description) did not finish in \(timeout) s; killed")
    }
    return ProgramOutcome(status: status, stdout: child.stdout, stderr: child.stderr)
}

/// The path of an executable built next to the test bundle (`ledger`, `blobber`, `blob`).
public func builtBinary(_ name: String) -> String {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [
        bundle.appendingPathComponent(name),
        Bundle.main.bundleURL.appendingPathComponent(name),
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name),
    ]
    return (candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]).path
}

/// A fresh temporary folder, removed by the caller.
public func temporaryDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Polls `condition` every 50 ms for at most `timeout` seconds.
public func eventually(timeout: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
