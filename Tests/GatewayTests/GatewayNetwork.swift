import Foundation
import TestProcesses
import Testing

/// A testnet started by `testnet/up --gateway` with the debug binaries: a ledger, blobbers, an
/// allocation and a real `gateway serve` over it, whose URL and first key pair `up` printed. A second
/// key, granted only the bucket `granted`, is made with `gateway keys create` and put in force with
/// SIGHUP. `stop()` is `testnet/down`, which ends every process by its PID file.
final class GatewayNetwork: Sendable {
    let data: String
    let basePort: Int
    let blobbers: Int
    let home: String
    let url: String
    /// Granted every bucket and the key-value store (printed by `testnet/up`).
    let fullKey: [String: String]
    /// Granted only the bucket `granted`.
    let limitedKey: [String: String]

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path

    /// `configuration`: YAML written as `gateway.yaml` before `up` (which then keeps it).
    init(blobbers: Int = 3, configuration: String = "sweep_interval: 1\n") async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-\(UUID().uuidString)").path
        home = data + "/client"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try configuration.write(toFile: home + "/gateway.yaml", atomically: true, encoding: .utf8)
        self.data = data
        self.blobbers = blobbers
        basePort = TestPorts.reserve(blobbers + 2)
        let up = try await Self.script(
            "up",
            [
                "--bin", Self.binaries, "--data", data, "--base-port", "\(basePort)", "--blobbers", "\(blobbers)",
                "--gateway",
            ],
            timeout: 180)
        do {
            guard up.status == 0 else { throw TestFailure("testnet/up exited \(up.status): \(up.stderr.suffix(3000))") }
            var printed: [String: String] = [:]
            for line in up.stdout.split(separator: "\n") where line.hasPrefix("gateway ") {
                let text = line.dropFirst("gateway ".count)
                guard let colon = text.firstIndex(of: ":") else { continue }
                printed[String(text[..<colon])] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let upURL = up.stdout.split(separator: "\n").first { $0.hasPrefix("gateway: ") }
                .map { String($0.dropFirst("gateway: ".count)) }
            guard let upURL, let access = printed["access key id"], let secret = printed["secret access key"],
                let api = printed["api key"]
            else { throw TestFailure("testnet/up --gateway printed no URL and key pair: \(up.stdout)") }
            #expect(upURL == "http://127.0.0.1:\(basePort + blobbers + 1)")
            url = upURL
            fullKey = ["access_key_id": access, "secret_access_key": secret, "api_key": api]

            let made = try await runProgram(
                builtBinary("gateway"), ["keys", "create", "--home", home, "--json", "--bucket", "granted"])
            guard made.status == 0 else { throw TestFailure("gateway keys create: \(made.stderr)") }
            limitedKey = made.json.compactMapValues { $0 as? String }
            let mode = try FileManager.default.attributesOfItem(atPath: home + "/gateway-keys.json")[.posixPermissions]
            #expect((mode as? NSNumber)?.intValue == 0o600)
            // SIGHUP puts the new key in force.
            let pidText = try String(contentsOfFile: data + "/gateway/gateway.pid", encoding: .utf8)
            guard let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw TestFailure("no gateway PID in \(data)/gateway/gateway.pid")
            }
            kill(pid, SIGHUP)
            let limitedAPIKey = limitedKey["api_key"] ?? ""
            let url = upURL
            let known = try await eventually(timeout: 20) {
                // Known but not granted the store: access_denied rather than unauthenticated.
                let answer = try await curl(["-H", "Authorization: Bearer \(limitedAPIKey)", url + "/retrieve/x"])
                return answer.json["code"] as? String == "gateway.access_denied"
            }
            guard known else { throw TestFailure("the gateway did not reload its keys on SIGHUP") }
        } catch {
            _ = try? await Self.script("down", ["--data", data, "--wipe"], timeout: 90)
            throw error
        }
    }

    /// The PID `testnet/up` recorded for the gateway.
    var gatewayPID: Int32? {
        let text = (try? String(contentsOfFile: data + "/gateway/gateway.pid", encoding: .utf8)) ?? ""
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The gateway's log so far.
    var gatewayLog: String { (try? String(contentsOfFile: data + "/gateway/gateway.log", encoding: .utf8)) ?? "" }

    /// Stops the gateway and the network; the data is deleted.
    func stop() async {
        _ = try? await Self.script("down", ["--data", data, "--wipe"], timeout: 90)
    }

    /// `testnet/ctl VERB blobberI`.
    func ctl(_ verb: String, _ index: Int) async throws {
        let outcome = try await Self.script("ctl", ["--data", data, verb, "blobber\(index)"], timeout: 60)
        guard outcome.status == 0 else { throw TestFailure("testnet/ctl \(verb): \(outcome.stderr)") }
    }

    /// `blob ARGS --json` with the gateway's wallet.
    func blob(_ arguments: [String]) async throws -> ProgramOutcome {
        try await runProgram(
            Self.binaries + "/blob", arguments + ["--json"], environment: ["BLOB_HOME": home], timeout: 120)
    }

    static func script(_ name: String, _ arguments: [String], timeout: Double) async throws -> ProgramOutcome {
        try await runProgram("/bin/bash", [repository + "/testnet/" + name] + arguments, timeout: timeout)
    }

    /// An outside tool: the test-tools venv first, then PATH.
    static func tool(_ name: String) -> String? {
        let candidates =
            [repository + "/.build-tools/venv/bin/" + name]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether a missing tool fails the test rather than skipping it.
    static var toolsRequired: Bool { ProcessInfo.processInfo.environment["BLOB_TEST_REQUIRE_TOOLS"] == "1" }
}

/// One curl call: status code and body.
struct CurlAnswer {
    var status: Int
    var body: String
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
}

func curl(_ arguments: [String]) async throws -> CurlAnswer {
    let outcome = try await runProgram(
        "/usr/bin/curl", ["-sS", "--path-as-is", "-w", "\n%{http_code}"] + arguments, timeout: 60)
    guard outcome.status == 0 else { throw TestFailure("curl \(arguments): \(outcome.stderr)") }
    var lines = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let status = Int(lines.popLast() ?? "") ?? 0
    return CurlAnswer(status: status, body: lines.joined(separator: "\n"))
}
