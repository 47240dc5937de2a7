public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP answer, body collected.
struct HTTPReply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer

    var bytes: [UInt8] { Array(body.readableBytesView) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(body.readableBytesView))
    }
}

/// JSON encoding used for every request body the client sends.
enum ClientJSON {
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every type sent has only finite numbers and strings.
        return Array(try! encoder.encode(value))
    }
}

/// The HTTP client every network call goes through.
public struct HTTPTransport: Sendable {
    public let client: HTTPClient
    /// Largest JSON answer accepted.
    static let maxJSONBytes = 64 << 20
    /// Largest error body read from an answer whose success would have been a stream.
    static let maxErrorBytes = 64 << 10

    public init(client: HTTPClient = HTTPTransport.sharedClient) {
        self.client = client
    }

    /// One client for the process. A refused connection fails the request at once instead of being
    /// retried until the deadline (AsyncHTTPClient's default), so a dead blobber costs a round trip,
    /// not a timeout; and enough connections per host for parallel shard streams. Idle connections are
    /// dropped after 10 s, well before a blobber closes them (its `idle_timeout`, 30 s by default): with
    /// AsyncHTTPClient's 60 s, a request sent on a connection the blobber was closing at that moment
    /// failed with "I/O on closed channel" (a streamed upload cannot be retried), as an upload whose
    /// overwrite check had waited 30 s for a frozen blobber showed.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(10))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        configuration.timeout.connect = .seconds(3)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Sends `request` and collects the body (at most `limit` bytes).
    func send(_ request: HTTPClientRequest, timeout: TimeAmount, limit: Int = maxJSONBytes) async throws -> HTTPReply {
        let response = try await client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: limit)
        return HTTPReply(status: Int(response.status.code), headers: response.headers, body: body)
    }
}
