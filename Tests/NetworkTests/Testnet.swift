import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A network started by `testnet/up` with the debug binaries next to the test bundle, in its own
/// folder and port range; `down()` stops exactly its processes (by the PID files `up` wrote).
final class Testnet: Sendable {
    let data: String
    let basePort: Int
    let blobbers: Int
    /// `BLOB_HOME` of the funded wallet `up` created.
    let home: String

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path

    init(blobbers: Int = 6, extra: [String] = []) async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("testnet-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        self.data = data
        self.blobbers = blobbers
        // A port range nobody else on this machine is likely to use, and that this run checks is free.
        var chosen = 0
        for _ in 0..<50 {
            let candidate = Int.random(in: 20_000...59_000)
            if (0...blobbers).allSatisfy({ portIsFree(candidate + $0) }) {
                chosen = candidate
                break
            }
        }
        precondition(chosen > 0, "no free port range")
        basePort = chosen
        home = data + "/client"
        let outcome = try await Self.script(
            "up", ["--bin", Self.binaries, "--data", data, "--base-port", "\(chosen)", "--blobbers", "\(blobbers)"] + extra,
            timeout: 180)
        if outcome.status != 0 {
            _ = try? await Self.script("down", ["--data", data], timeout: 60)
            throw TestnetError.failed("testnet/up", outcome)
        }
        #expect(outcome.stdout.contains("export BLOB_HOME=\(home)"))
    }

    /// Stops every process of this network; the data folder is deleted when `wipe`.
    func down(wipe: Bool = true) async {
        _ = try? await Self.script("down", ["--data", data] + (wipe ? ["--wipe"] : []), timeout: 90)
    }

    var ledgerURL: String { "http://127.0.0.1:\(basePort)" }
    func blobberURL(_ index: Int) -> String { "http://127.0.0.1:\(basePort + index)" }
    func blobberFolder(_ index: Int) -> String { data + "/blobber\(index)" }

    /// `testnet/ctl VERB blobberI [ARG]`.
    func ctl(_ verb: String, _ index: Int, _ argument: String? = nil) async throws {
        let outcome = try await Self.script(
            "ctl", ["--data", data, verb, "blobber\(index)"] + (argument.map { [$0] } ?? []), timeout: 60)
        guard outcome.status == 0 else { throw TestnetError.failed("testnet/ctl \(verb) blobber\(index)", outcome) }
    }

    /// `blob ARGS --json` against this network; the answer's JSON object (an error's too).
    func blob(_ arguments: [String], timeout: Double = 300) async throws -> Outcome {
        try await run(
            Self.binaries + "/blob", arguments + ["--json"], environment: ["BLOB_HOME": home], timeout: timeout)
    }

    /// `ledger ARGS` on this network's ledger folder.
    func ledger(_ arguments: [String]) async throws -> Outcome {
        try await run(Self.binaries + "/ledger", arguments + ["--data", data + "/ledger"], environment: [:], timeout: 120)
    }

    /// GET a JSON document from one of the nodes.
    func get(_ url: String) async throws -> Any {
        let (data, _) = try await URLSession.shared.data(from: URL(string: url)!)
        return try JSONSerialization.jsonObject(with: data)
    }

    /// blobber id (hex) → its index in this network.
    func blobberIndexes() async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for index in 1...blobbers {
            let info = try await get(blobberURL(index) + "/v1/info") as? [String: Any]
            if let id = info?["blobber_id"] as? String { out[id] = index }
        }
        return out
    }

    static func script(_ name: String, _ arguments: [String], timeout: Double) async throws -> Outcome {
        try await run("/bin/bash", [repository + "/testnet/" + name] + arguments, environment: [:], timeout: timeout)
    }
}

enum TestnetError: Error, CustomStringConvertible {
    case failed(String, Outcome)
    case spawn(String, Int32)

    var description: String {
        switch self {
        case .failed(let what, let outcome):
            "\(what) exited \(outcome.status)\nstdout: \(outcome.stdout.suffix(2000))\nstderr: \(outcome.stderr.suffix(4000))"
        case .spawn(let path, let code):
            "cannot start \(path): error \(code)"
        }
    }
}

struct Outcome: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
    }
}

/// Whether nothing listens on 127.0.0.1:`port` (a bind succeeds).
func portIsFree(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// Runs a program to completion; killed by its PID after `timeout` seconds (recorded as an issue).
/// Output goes through files, so a chatty program never blocks on a full pipe.
func run(_ path: String, _ arguments: [String], environment: [String: String], timeout: Double) async throws -> Outcome {
    let started = try Started(path, arguments, environment: environment)
    return try await started.wait(timeout: timeout)
}

/// A program running in the background (an upload that a test interrupts), spawned with
/// posix_spawn and reaped with waitpid: Foundation's `Process` can leave a finished child
/// unreaped (a zombie) and report it running forever.
final class Started: Sendable {
    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    let description: String

    init(_ path: String, _ arguments: [String], environment: [String: String]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)").path
        stdoutPath = base + ".stdout"
        stderrPath = base + ".stderr"
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, nil, argv, envp)
        guard result == 0 else { throw TestnetError.spawn(path, result) }
        pid = child
        description = ([URL(fileURLWithPath: path).lastPathComponent] + arguments).joined(separator: " ")
    }

    /// The exit status once the child has exited, reaping it; nil while it runs.
    private func reap() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return result < 0 ? -1 : nil }
        // WIFEXITED / WEXITSTATUS, spelled out (the C macros are not imported).
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    func wait(timeout: Double) async throws -> Outcome {
        let deadline = Date().addingTimeInterval(timeout)
        var status = reap()
        while status == nil && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
            status = reap()
        }
        if status == nil {
            kill(pid, SIGKILL)
            for _ in 0..<500 where status == nil {
                try await Task.sleep(for: .milliseconds(10))
                status = reap()
            }
            Issue.record("\(description) did not finish in \(timeout) s; killed")
        }
        defer {
            try? FileManager.default.removeItem(atPath: stdoutPath)
            try? FileManager.default.removeItem(atPath: stderrPath)
        }
        return Outcome(
            status: status ?? -1,
            stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }
}

/// Polls `condition` every 200 ms for at most `seconds`.
func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(200))
    } while Date() < deadline
    return try await condition()
}

/// `count` pseudo-random bytes written to `path` in 1 MiB pieces.
func writeRandomFile(_ path: String, count: Int, seed: UInt64) throws {
    FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    defer { try? handle.close() }
    var state = seed | 1
    var remaining = count
    while remaining > 0 {
        let n = min(remaining, 1 << 20)
        var words = [UInt64](repeating: 0, count: (n + 7) / 8)
        for index in words.indices {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            words[index] = state
        }
        try handle.write(contentsOf: words.withUnsafeBytes { Data($0.prefix(n)) })
        remaining -= n
    }
}
