public import AsyncHTTPClient
import Foundation
public import Merkle
public import NIOCore
import NIOHTTP1
public import StorageProtocol

/// The ledger's HTTP API (docs/PROTOCOL.md section 7) through AsyncHTTPClient: the one ledger client
/// of blobbers and the `blob` CLI.
public struct HTTPLedger: LedgerAccess {
    /// The ledger's URL without a trailing slash.
    public let baseURL: String
    let client: HTTPClient
    let readTimeout: TimeAmount
    let submitTimeout: TimeAmount
    /// Largest answer read: a list of every blobber or challenge stays far below it.
    static let maxAnswerBytes = 64 << 20

    /// `readTimeout` bounds the GETs, `submitTimeout` a transaction. An `HTTPClient` whose pool retries a
    /// refused connection until the deadline fails no sooner than the timeout on a dead ledger.
    public init(
        baseURL: String, client: HTTPClient = .shared, readTimeout: TimeAmount = .seconds(15),
        submitTimeout: TimeAmount = .seconds(15)
    ) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.client = client
        self.readTimeout = readTimeout
        self.submitTimeout = submitTimeout
    }

    public func allocation(_ id: AllocationID) async throws(LedgerAccessError) -> AllocationView? {
        do throws(LedgerAccessError) {
            return try await call(.GET, "/v1/allocations/\(id.hex)", as: AllocationView.self)
        } catch let error where error.isUnknown("ledger.unknown_allocation") {
            return nil
        }
    }

    public func blobber(_ id: BlobberID) async throws(LedgerAccessError) -> BlobberRecord? {
        do throws(LedgerAccessError) {
            return try await call(.GET, "/v1/blobbers/\(id.hex)", as: BlobberRecord.self)
        } catch let error where error.isUnknown("ledger.unknown_blobber") {
            return nil
        }
    }

    public func blobbers() async throws(LedgerAccessError) -> [BlobberRecord] {
        try await call(.GET, "/v1/blobbers", as: [BlobberRecord].self)
    }

    public func balance(of account: Hash) async throws(LedgerAccessError) -> UInt64 {
        do throws(LedgerAccessError) {
            return try await call(.GET, "/v1/accounts/\(account.hex)", as: AccountView.self).balance
        } catch let error where error.isUnknown("ledger.unknown_account") {
            return 0
        }
    }

    public func revokedTickets(of allocation: AllocationID) async throws(LedgerAccessError) -> [Hash]? {
        do throws(LedgerAccessError) {
            return try await call(.GET, "/v1/allocations/\(allocation.hex)/revocations", as: RevokedTickets.self).revoked
        } catch let error where error.isUnknown("ledger.unknown_allocation") {
            return nil
        }
    }

    public func challenges(for blobber: BlobberID, status: ChallengeRecord.Status) async throws(LedgerAccessError)
        -> [ChallengeRecord]
    {
        try await call(.GET, "/v1/challenges?blobber=\(blobber.hex)&status=\(status.rawValue)", as: [ChallengeRecord].self)
    }

    public func transaction(_ hash: Hash) async throws(LedgerAccessError) -> TransactionView? {
        do throws(LedgerAccessError) {
            return try await call(.GET, "/v1/transactions/\(hash.hex)", as: TransactionView.self)
        } catch let error where error.isUnknown("ledger.unknown_transaction") {
            return nil
        }
    }

    public func submit(_ transaction: LedgerTransaction) async throws(LedgerAccessError) -> TransactionReceipt {
        try await call(
            .POST, "/v1/transactions", body: TransactionCoding.encode(transaction), as: TransactionReceipt.self)
    }

    /// One request: the decoded 200 answer, or the refusal (section 7.8) as an error.
    private func call<Answer: Decodable>(
        _ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, as type: Answer.Type
    ) async throws(LedgerAccessError) -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: Int
        let answer: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: body == nil ? readTimeout : submitTimeout)
            answer = try await response.body.collect(upTo: Self.maxAnswerBytes)
            status = Int(response.status.code)
        } catch {
            throw .unreachable(request: "\(method) \(path)", reason: "\(error)")
        }
        guard status == 200 else {
            if let refusal = try? JSONDecoder().decode(LedgerErrorBody.self, from: Data(answer.readableBytesView)) {
                throw .refused(status: status, refusal)
            }
            throw .badStatus(status: status, body: String(decoding: answer.readableBytesView, as: UTF8.self))
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(answer.readableBytesView))
        } catch {
            throw .undecodable(request: "\(method) \(path)", reason: "\(error)")
        }
    }
}
