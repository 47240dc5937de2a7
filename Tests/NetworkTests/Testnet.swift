import Foundation
import TestProcesses
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
        // Ports below the kernel's ephemeral range, checked free (one taken by another test's outgoing
        // connection between the check and the bind once failed this test).
        let chosen = TestPorts.reserve(blobbers + 1)
        basePort = chosen
        home = data + "/client"
        let outcome = try await Self.script(
            "up",
            ["--bin", Self.binaries, "--data", data, "--base-port", "\(chosen)", "--blobbers", "\(blobbers)"] + extra,
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
    func blob(_ arguments: [String], timeout: Double = 300) async throws -> ProgramOutcome {
        try await runProgram(
            Self.binaries + "/blob", arguments + ["--json"], environment: ["BLOB_HOME": home], timeout: timeout)
    }

    /// `ledger ARGS` on this network's ledger folder.
    func ledger(_ arguments: [String]) async throws -> ProgramOutcome {
        try await runProgram(Self.binaries + "/ledger", arguments + ["--data", data + "/ledger"], timeout: 120)
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

    static func script(_ name: String, _ arguments: [String], timeout: Double) async throws -> ProgramOutcome {
        try await runProgram("/bin/bash", [repository + "/testnet/" + name] + arguments, timeout: timeout)
    }
}

enum TestnetError: Error, CustomStringConvertible {
    case failed(String, ProgramOutcome)

    var description: String {
        switch self {
        case .failed(let what, let outcome):
            "\(what) exited \(outcome.status)\nstdout: \(outcome.stdout.suffix(2000))\nstderr: \(outcome.stderr.suffix(4000))"
        }
    }
}

/// `count` pseudo-random bytes written to `path` in 1 MiB pieces.
func writeRandomFile(_ path: String, count: Int, seed: UInt64) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
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
