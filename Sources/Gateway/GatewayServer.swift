import StorageProtocol
public import Client
import Foundation
public import Hummingbird
import HTTPTypes
public import Logging
import NIOCore
import Synchronization

/// The gateway's HTTP front: the key-value API (`/store`, `/retrieve`, `/kv/KEY`, `/health`) and, on
/// every other path, S3 path-style. One responder parses the raw path (S3 keys are any bytes
/// percent-encoded), checks the credential and calls `ObjectStore`.
public struct GatewayResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    /// The gateway's own allocation's store (for an S3 request, the copy `routed(bucket:)` returns
    /// holds the bucket's).
    public private(set) var store: ObjectStore
    /// The gateway's own allocation's store, in every copy.
    let ownStore: ObjectStore
    public let configuration: GatewayConfiguration
    let keyring: KeyringBox
    let policyBox: PolicyBox
    let home: String
    let logger: Logger
    /// Pegs values and checks pegs (`peg: true`, `GET /verify/KEY`); nil: a pegged write is
    /// `gateway.peg_failed`.
    let pegger: Pegger?
    /// Names the key-value API takes, which no bucket can have.
    static let reservedBuckets: Set<String> = ["kv", "store", "retrieve", "health", "policies", "verify"]

    public init(
        store: ObjectStore, configuration: GatewayConfiguration, keys: [AccessKey], home: String, logger: Logger,
        pegger: Pegger? = nil
    ) {
        self.pegger = pegger
        self.store = store
        self.ownStore = store
        self.configuration = configuration
        self.keyring = KeyringBox(AccessKeyring(keys))
        self.policyBox = PolicyBox(configuration.policies)
        self.home = home
        self.logger = logger
    }

    var stagingFolder: String { home + "/gateway-staging" }

    /// Puts `keys` in force (SIGHUP after `gateway keys create`).
    public func replaceKeys(_ keys: [AccessKey]) { keyring.mutex.withLock { $0 = AccessKeyring(keys) } }

    /// Puts `policies` in force (SIGHUP re-reads the configuration), with a store for every allocation
    /// they name (`stores`, by hex id; the gateway's own need not be there).
    public func replacePolicies(_ policies: [Policy], stores: [String: ObjectStore] = [:]) {
        policyBox.mutex.withLock { $0 = PolicyBox.State(policies: policies, stores: stores) }
    }

    /// The policies in force.
    public var policies: [Policy] { policyBox.mutex.withLock { $0.policies } }

    /// The store a policy sends to (the gateway's own without one).
    func store(for policy: Policy?) throws(GatewayError) -> ObjectStore {
        guard let policy, !policy.allocation.isEmpty, policy.allocation != ownStore.client.id.hex else {
            return ownStore
        }
        guard let other = policyBox.mutex.withLock({ $0.stores[policy.allocation] }) else {
            throw .local("allocation \(policy.allocation) of policy \(policy.name) is not open")
        }
        return other
    }

    /// This responder with `store` the one bucket `bucket` lives in: the allocation of the first S3
    /// rule (`bucket:`) matching its name, else the gateway's own.
    func routed(bucket: String) throws(GatewayError) -> GatewayResponder {
        var copy = self
        copy.store = try store(for: Policy.first(policies, bucket: bucket))
        return copy
    }

    /// Every store: the gateway's own first, then each policy allocation's.
    public var allStores: [ObjectStore] {
        [ownStore]
            + policyBox.mutex.withLock { state in
                state.stores.filter { $0.key != ownStore.client.id.hex }.sorted { $0.key < $1.key }.map(\.value)
            }
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let rawPath = request.uri.path
        let requestID = UUID().uuidString
        let segments = rawPath.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let first = segments.count > 1 ? String(segments[1]) : ""
        let isKV =
            first == "store" || first == "retrieve" || first == "health" || first == "kv" || first == "policies"
            || rawPath.hasPrefix("/retrieve/") || rawPath.hasPrefix("/kv/") || rawPath.hasPrefix("/verify/")
        do {
            if isKV { return try await respondKV(to: request, rawPath: rawPath) }
            return try await respondS3(to: request, rawPath: rawPath, requestID: requestID)
        } catch let error as GatewayError {
            logFailure(error, request: request)
            return isKV
                ? Self.json(error)
                : Self.s3Error(error, resource: rawPath, requestID: requestID, head: request.method == .head)
        } catch {
            let wrapped = (error as? ClientError).map { GatewayError.client($0) } ?? GatewayError.local("\(error)")
            logFailure(wrapped, request: request)
            return isKV
                ? Self.json(wrapped)
                : Self.s3Error(wrapped, resource: rawPath, requestID: requestID, head: request.method == .head)
        }
    }

    func logFailure(_ error: GatewayError, request: Request) {
        let level: Logger.Level = error.status >= 500 ? .error : .info
        logger.log(
            level: level, "refused",
            metadata: [
                "http.method": "\(request.method)", "http.path": "\(request.uri.path.prefix(256))",
                "error.code": "\(error.code)", "error.message": "\(error.description.prefix(512))",
            ])
    }

    // MARK: Credentials

    /// The request's headers for SigV4, the `Host` header from the authority.
    static func sigV4Request(_ request: Request, rawPath: String) -> SigV4Request {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName.lowercased()
            if let existing = headers[name] {
                headers[name] = existing + "," + field.value
            } else {
                headers[name] = field.value
            }
        }
        if headers["host"] == nil, let authority = request.head.authority { headers["host"] = authority }
        return SigV4Request(
            method: request.method.rawValue, rawPath: rawPath, rawQuery: request.uri.query ?? "", headers: headers)
    }

    /// The key behind a bearer API key or a SigV4 signature; nil when the request carries neither.
    func authenticate(_ request: Request, rawPath: String) throws(GatewayError) -> (key: AccessKey, grant: SigV4Grant?)?
    {
        let signed = Self.sigV4Request(request, rawPath: rawPath)
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            let token = String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
            guard let key = keyring.mutex.withLock({ $0.key(apiKey: token) }) else {
                throw .unauthenticated("the API key is not known to this gateway")
            }
            return (key, nil)
        }
        guard SigV4.isSigned(signed) else { return nil }
        let grant = try keyring.mutex.withLock { ring throws(GatewayError) in
            try SigV4.verify(signed, keyring: ring, now: Int64(Date().timeIntervalSince1970))
        }
        return (grant.key, grant)
    }

    // MARK: Bodies

    /// The request body staged to disk: aws-chunked decoded (chunk signatures checked), the signed
    /// payload hash checked, its length checked against what was declared.
    func stage(_ request: Request, grant: SigV4Grant?) async throws -> StagedBody {
        let contentLength = request.headers[.contentLength].flatMap { UInt64($0) }
        let payloadHash = grant?.payloadHash ?? request.headers[HTTPField.Name("x-amz-content-sha256")!]
        let chunked =
            payloadHash?.hasPrefix("STREAMING-") == true
            || (request.headers[.contentEncoding] ?? "").split(separator: ",").contains {
                $0.trimmingCharacters(in: .whitespaces) == "aws-chunked"
            }
        if chunked {
            guard let decodedText = request.headers[HTTPField.Name("x-amz-decoded-content-length")!],
                let decoded = UInt64(decodedText)
            else { throw GatewayError.invalidRequest("an aws-chunked body needs x-amz-decoded-content-length") }
            let signedChunks = payloadHash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" ? grant : nil
            if payloadHash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", grant == nil {
                throw GatewayError.unauthenticated("signed chunks need a SigV4 signature")
            }
            return try await StagedBody.stage(
                request.body, encoding: .awsChunked(grant: signedChunks), declared: decoded,
                limit: configuration.maxObjectBytes, expectedSHA256: nil, folder: stagingFolder)
        }
        var expected: String? = nil
        if let payloadHash, payloadHash.count == 64, payloadHash.allSatisfy(\.isHexDigit) { expected = payloadHash }
        return try await StagedBody.stage(
            request.body, encoding: .plain, declared: contentLength, limit: configuration.maxObjectBytes,
            expectedSHA256: expected, folder: stagingFolder)
    }

    /// A small body (JSON, XML) collected in memory, at most `limit` bytes.
    static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= limit else {
                throw GatewayError.bodyTooLarge("this request's body may be at most \(limit) bytes")
            }
            bytes += buffer.readableBytesView
        }
        return bytes
    }

    // MARK: Responses

    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json(_ error: GatewayError) -> Response {
        json(["code": error.code, "message": error.description], status: .init(code: error.status))
    }

    static func xml(_ text: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/xml"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func s3Error(_ error: GatewayError, resource: String, requestID: String, head: Bool) -> Response {
        var headers = HTTPFields()
        headers[HTTPField.Name("x-amz-request-id")!] = requestID
        if head { return Response(status: .init(code: error.status), headers: headers) }
        return xml(
            S3XML.error(error, resource: resource, requestID: requestID), status: .init(code: error.status),
            headers: headers)
    }

    /// An object's body as a response, from memory or streamed from the blobbers.
    static func body(_ body: ObjectStore.ObjectBody, length: UInt64) -> ResponseBody {
        switch body {
        case .bytes(let bytes): return .init(byteBuffer: ByteBuffer(bytes: bytes))
        case .stream(let stream):
            return ResponseBody(contentLength: Int(clamping: length)) { writer in
                for try await chunk in stream { try await writer.write(chunk) }
                try await writer.finish(nil)
            }
        }
    }
}

/// Builds the gateway server: the responder, the expiry sweep, bound to `host:port`.
public func buildGatewayApplication(
    responder: GatewayResponder, host: String, port: Int, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        responder: responder,
        server: .http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()])),
        configuration: .init(address: .hostname(host, port: port), serverName: "gateway"),
        services: [
            ExpirySweeper(
                stores: { responder.allStores }, multipart: responder.multipart,
                interval: responder.configuration.sweepInterval, logger: logger)
        ],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger)
}

/// The policies in force, shared by every copy of the responder.
final class PolicyBox: Sendable {
    struct State {
        var policies: [Policy]
        var stores: [String: ObjectStore]
    }
    let mutex: Mutex<State>
    init(_ policies: [Policy]) { mutex = Mutex(State(policies: policies, stores: [:])) }
}

/// The keys in force, shared by every copy of the responder.
final class KeyringBox: Sendable {
    let mutex: Mutex<AccessKeyring>
    init(_ ring: AccessKeyring) { mutex = Mutex(ring) }
}
