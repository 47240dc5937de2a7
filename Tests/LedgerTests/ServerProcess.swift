import AsyncHTTPClient
import Foundation
import Ledger
import NIOCore
import NIOHTTP1
import StorageProtocol
import TestProcesses
import Testing

extension ServerProcess {
    /// A real `ledger serve --faucet` on 127.0.0.1 over `directory`, with port 0 unless `extra` says.
    convenience init(directory: String, extra: [String] = []) throws {
        try self.init("ledger", ["serve", "--data", directory, "--port", "0", "--host", "127.0.0.1", "--faucet"] + extra)
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
