import AsyncHTTPClient
import Foundation
import Ledger
import NIOCore
import NIOHTTP1
import StorageProtocol
import Synchronization
import Testing

/// A real `ledger serve` process on 127.0.0.1 with port 0; reads the bound port from its first line.
final class ServerProcess: Sendable {
    let process: Process
    let output = Shared<String>("")
    let pid: Int32

    init(directory: String, extra: [String] = []) throws {
        let process = Process()
        process.executableURL = LedgerBinary.url
        process.arguments = ["serve", "--data", directory, "--port", "0", "--host", "127.0.0.1", "--faucet"] + extra
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

    /// Waits (bounded) for `listening on http://127.0.0.1:PORT`.
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
        throw LedgerError.storage("ledger serve did not report its port: \(output.withLock { $0 })")
    }

    func kill9() {
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL if it has not exited within `timeout`. Returns true on a graceful exit.
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

/// Minimal JSON-over-HTTP calls to a ledger.
struct LedgerHTTP: Sendable {
    let client: HTTPClient
    let base: String

    struct Reply {
        var status: Int
        var body: [UInt8]
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: Data(body)) }
    }

    func post(_ path: String, _ body: [UInt8]) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), body: Array(buffer.readableBytesView))
    }

    func get(_ path: String) async throws -> Reply {
        let response = try await client.execute(HTTPClientRequest(url: base + path), timeout: .seconds(10))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), body: Array(buffer.readableBytesView))
    }

    func submit(_ tx: LedgerTransaction) async throws -> Reply {
        try await post("/v1/transactions", TransactionCoding.encode(tx))
    }
}
