public import AsyncHTTPClient
import Foundation
public import Merkle
import NIOCore
import NIOHTTP1
public import StorageProtocol

/// The ledger's HTTP API (docs/PROTOCOL.md section 7): reads and signed transactions.
public struct LedgerClient: Sendable {
    public let baseURL: String
    let transport: HTTPTransport

    public init(baseURL: String, transport: HTTPTransport = HTTPTransport()) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.transport = transport
    }

    public func blobbers() async throws(ClientError) -> [BlobberRecord] {
        try await get("/v1/blobbers", as: [BlobberRecord].self)
    }

    public func allocation(_ id: AllocationID) async throws(ClientError) -> AllocationView {
        try await get("/v1/allocations/\(id.hex)", as: AllocationView.self)
    }

    /// The balance in units; 0 for an account that never held anything.
    public func balance(of id: Hash) async throws(ClientError) -> UInt64 {
        do {
            return try await get("/v1/accounts/\(id.hex)", as: AccountView.self).balance
        } catch .ledgerRefused(let code, _) where code == "ledger.unknown_account" {
            return 0
        }
    }

    /// Signs and submits a transaction of `kind`.
    public func submit(_ kind: TransactionKind, _ payload: some Encodable, key: SigningKey) async throws(ClientError)
        -> TransactionReceipt
    {
        let transaction = LedgerTransaction.make(
            kind, payload: payload, key: key, nonce: UInt64.random(in: 0...UInt64.max), timestamp: Clock.nowMillis)
        var request = HTTPClientRequest(url: baseURL + "/v1/transactions")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: TransactionCoding.encode(transaction)))
        return try await decode(try await send(request, timeout: .seconds(15)), as: TransactionReceipt.self)
    }

    /// Reads answer in milliseconds; the client's HTTP pool retries a refused connection until the
    /// deadline, so a short one is what makes a dead ledger fail fast.
    func get<T: Decodable>(_ path: String, as type: T.Type) async throws(ClientError) -> T {
        try await decode(try await send(HTTPClientRequest(url: baseURL + path), timeout: .seconds(5)), as: type)
    }

    private func send(_ request: HTTPClientRequest, timeout: TimeAmount) async throws(ClientError) -> HTTPReply {
        do {
            return try await transport.send(request, timeout: timeout)
        } catch {
            throw .ledgerUnreachable(url: baseURL, reason: "\(error)")
        }
    }

    private func decode<T: Decodable>(_ reply: HTTPReply, as type: T.Type) throws(ClientError) -> T {
        guard reply.status == 200 else {
            if let body = try? reply.decode(LedgerErrorBody.self) {
                throw .ledgerRefused(code: body.code, message: body.message)
            }
            throw .ledgerRefused(code: "http.\(reply.status)", message: "HTTP \(reply.status) from \(baseURL)")
        }
        do {
            return try reply.decode(type)
        } catch {
            throw .ledgerUnreachable(url: baseURL, reason: "the answer is not the expected JSON: \(error)")
        }
    }
}

/// Wall-clock milliseconds, as markers, tickets and transactions carry them.
public enum Clock {
    public static var nowMillis: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
