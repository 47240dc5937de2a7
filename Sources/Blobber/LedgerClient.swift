public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import Merkle
public import StorageProtocol

/// The ledger's HTTP API as the blobber uses it (docs/PROTOCOL.md section 7).
public struct LedgerClient: Sendable {
    public let baseURL: String
    let client: HTTPClient

    public init(baseURL: String, client: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
    }

    public enum Answer<Value: Sendable>: Sendable {
        case ok(Value)
        case refused(status: Int, LedgerErrorBody)
    }

    private func call(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            let buffer = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), Array(buffer.readableBytesView))
        } catch {
            throw BlobberError.ledgerUnreachable("\(method) \(path): \(error)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ status: Int, _ body: [UInt8]) throws -> Answer<T> {
        if status == 200 {
            do { return .ok(try JSONDecoder().decode(T.self, from: Data(body))) } catch {
                throw BlobberError.ledgerUnreachable("undecodable answer: \(error)")
            }
        }
        guard let error = try? JSONDecoder().decode(LedgerErrorBody.self, from: Data(body)) else {
            throw BlobberError.ledgerUnreachable("status \(status): \(String(decoding: body, as: UTF8.self))")
        }
        return .refused(status: status, error)
    }

    /// The allocation, or nil when the ledger does not know it.
    public func allocation(_ id: AllocationID) async throws -> AllocationView? {
        let (status, body) = try await call(.GET, "/v1/allocations/\(id.hex)")
        switch try decode(AllocationView.self, status, body) {
        case .ok(let view): return view
        case .refused(let status, _) where status == 404: return nil
        case .refused(_, let error): throw BlobberError.ledgerUnreachable("\(error.code): \(error.message)")
        }
    }

    public func blobber(_ id: BlobberID) async throws -> BlobberRecord? {
        let (status, body) = try await call(.GET, "/v1/blobbers/\(id.hex)")
        switch try decode(BlobberRecord.self, status, body) {
        case .ok(let record): return record
        case .refused(let status, _) where status == 404: return nil
        case .refused(_, let error): throw BlobberError.ledgerUnreachable("\(error.code): \(error.message)")
        }
    }

    /// The account's balance; 0 for an account that never held anything.
    public func balance(of id: Hash) async throws -> UInt64 {
        let (status, body) = try await call(.GET, "/v1/accounts/\(id.hex)")
        switch try decode(AccountView.self, status, body) {
        case .ok(let account): return account.balance
        case .refused(let status, _) where status == 404: return 0
        case .refused(_, let error): throw BlobberError.ledgerUnreachable("\(error.code): \(error.message)")
        }
    }

    public func openChallenges(for blobber: BlobberID) async throws -> [ChallengeRecord] {
        let (status, body) = try await call(.GET, "/v1/challenges?blobber=\(blobber.hex)&status=open")
        switch try decode([ChallengeRecord].self, status, body) {
        case .ok(let list): return list
        case .refused(_, let error): throw BlobberError.ledgerUnreachable("\(error.code): \(error.message)")
        }
    }

    public func submit(_ transaction: LedgerTransaction) async throws -> Answer<TransactionReceipt> {
        let (status, body) = try await call(.POST, "/v1/transactions", body: TransactionCoding.encode(transaction))
        return try decode(TransactionReceipt.self, status, body)
    }
}
