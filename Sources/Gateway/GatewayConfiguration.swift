public import Foundation
import Yams

/// `gateway.yaml` (`gateway init` writes it commented). Every field is optional in the file.
public struct GatewayConfiguration: Sendable, Codable, Equatable {
    /// Address and port to serve on (`--listen` overrides).
    public var listen: String = "127.0.0.1:8081"
    /// The allocation to store into; empty: the wallet's default allocation.
    public var allocation: String = ""
    /// The region S3 clients sign for.
    public var region: String = "us-east-1"
    /// Bytes of values held by the in-memory cache (0: no cache).
    public var cacheBytes: Int = 64 << 20
    /// Values larger than this are never cached.
    public var cacheMaxValueBytes: Int = 1 << 20
    /// Seconds between sweeps that delete expired keys from the blobbers.
    public var sweepInterval: Double = 30
    /// Whether key-value reads (`GET /retrieve/KEY`, `POST /retrieve`, `GET /kv/KEY`) need no credential.
    public var openReads: Bool = false
    /// The largest object or value accepted in one PUT, in bytes.
    public var maxObjectBytes: UInt64 = 5 << 30
    /// The longest `ttl` accepted, in seconds.
    public var maxTTL: Int64 = 10 * 365 * 86_400
    /// Ordered rules for key-value writes and S3 buckets (`Policy`); the first that matches applies.
    public var policies: [Policy] = []

    enum CodingKeys: String, CodingKey {
        case listen, allocation, region
        case cacheBytes = "cache_bytes"
        case cacheMaxValueBytes = "cache_max_value_bytes"
        case sweepInterval = "sweep_interval"
        case openReads = "open_reads"
        case maxObjectBytes = "max_object_bytes"
        case maxTTL = "max_ttl"
        case policies
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GatewayConfiguration()
        listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? d.listen
        allocation = try c.decodeIfPresent(String.self, forKey: .allocation) ?? d.allocation
        region = try c.decodeIfPresent(String.self, forKey: .region) ?? d.region
        cacheBytes = try c.decodeIfPresent(Int.self, forKey: .cacheBytes) ?? d.cacheBytes
        cacheMaxValueBytes = try c.decodeIfPresent(Int.self, forKey: .cacheMaxValueBytes) ?? d.cacheMaxValueBytes
        sweepInterval = try c.decodeIfPresent(Double.self, forKey: .sweepInterval) ?? d.sweepInterval
        openReads = try c.decodeIfPresent(Bool.self, forKey: .openReads) ?? d.openReads
        maxObjectBytes = try c.decodeIfPresent(UInt64.self, forKey: .maxObjectBytes) ?? d.maxObjectBytes
        maxTTL = try c.decodeIfPresent(Int64.self, forKey: .maxTTL) ?? d.maxTTL
        policies = try c.decodeIfPresent([Policy].self, forKey: .policies) ?? []
    }

    /// Checks every field's range; the message names the field.
    public func validate() throws(GatewayError) {
        _ = try Self.parseListen(listen)
        guard cacheBytes >= 0, cacheBytes <= 1 << 40 else { throw .invalidRequest("cache_bytes must be 0...1 TiB") }
        guard cacheMaxValueBytes >= 0 else { throw .invalidRequest("cache_max_value_bytes must be ≥ 0") }
        guard sweepInterval >= 0.1, sweepInterval <= 86_400 else {
            throw .invalidRequest("sweep_interval must be 0.1...86400 seconds")
        }
        guard maxObjectBytes >= 1, maxObjectBytes <= 1 << 50 else {
            throw .invalidRequest("max_object_bytes must be 1...2^50")
        }
        guard maxTTL >= 1, maxTTL <= 100 * 365 * 86_400 else {
            throw .invalidRequest("max_ttl must be 1 s...100 years")
        }
        guard !region.isEmpty, region.utf8.count <= 64 else { throw .invalidRequest("region must be 1...64 bytes") }
        guard policies.count <= 1000 else { throw .invalidRequest("at most 1000 policies") }
        for (index, policy) in policies.enumerated() {
            if let ttl = policy.ttl, !(1...maxTTL).contains(ttl) {
                throw .invalidRequest("policies[\(index)] (\(policy.name)): ttl must be 1...\(maxTTL) seconds")
            }
            guard
                policy.allocation.isEmpty
                    || (policy.allocation.count == 64 && policy.allocation.allSatisfy(\.isHexDigit))
            else {
                throw .invalidRequest("policies[\(index)] (\(policy.name)): allocation must be a hex allocation id")
            }
            guard policy.match.utf8.count <= 1024, policy.bucket.utf8.count <= 1024 else {
                throw .invalidRequest("policies[\(index)] (\(policy.name)): match or bucket is over 1024 bytes")
            }
        }
    }

    /// `HOST:PORT` → host and port (0...65535).
    public static func parseListen(_ text: String) throws(GatewayError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port), colon != text.startIndex
        else { throw .invalidRequest("listen must be HOST:PORT, e.g. 127.0.0.1:8081 (got \(text.debugDescription))") }
        return (String(text[..<colon]), port)
    }

    public static func load(from path: String) throws(GatewayError) -> GatewayConfiguration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .local("cannot read \(path): \(error.localizedDescription)")
        }
        let configuration: GatewayConfiguration
        do {
            configuration = try YAMLDecoder().decode(GatewayConfiguration.self, from: text.isEmpty ? "{}" : text)
        } catch { throw .invalidRequest("\(path) is not a valid gateway configuration: \(error)") }
        try configuration.validate()
        return configuration
    }

    /// The commented file `gateway init` writes.
    public static let template = """
        # gateway.yaml: the gateway's settings (gateway serve --config FILE). Every field is optional.

        # Address and port to serve the key-value and S3 APIs on (gateway serve --listen overrides).
        listen: 127.0.0.1:8081

        # The allocation to store into (hex id); empty: the wallet's default allocation (blob alloc use).
        allocation: ""

        # The region S3 clients sign requests for (aws --region, boto3 region_name).
        region: us-east-1

        # Bytes of hot values kept in memory (LRU); 0 turns the cache off. A cached read never
        # reaches the blobbers.
        cache_bytes: 67108864
        # Values larger than this are never cached.
        cache_max_value_bytes: 1048576

        # Seconds between sweeps that delete expired keys from the blobbers (one commit a sweep).
        # An expired key is never served, swept or not.
        sweep_interval: 30

        # Whether key-value reads need no credential (writes always need one).
        open_reads: false

        # The largest object or value one PUT may carry, in bytes (5 GiB).
        max_object_bytes: 5368709120

        # The longest ttl a request may ask for, in seconds (10 years).
        max_ttl: 315360000

        # Rules for key-value writes, in order; the first that matches applies (GET /policies shows
        # them; SIGHUP re-reads this file). A rule matches a key pattern (* any characters, / too;
        # ? one), the value's data type (a Content-Type prefix, or the "type" field of /store) and
        # its provenance (the caller's access key id, or the "provenance" field of /store); an empty
        # or absent field matches anything. ttl: the default expiry, in seconds, when the request
        # gives none. allocation: the allocation (hex id, of this wallet) a matched key is stored in,
        # e.g. one whose blobbers are in another region; absent: the gateway's own. peg: true pegs
        # every matched key on the ledger (a peg transaction with the value's SHA-256 and uri, signed
        # by this wallet; GET /verify/KEY checks it), as "peg": true in a request does.
        # A rule with bucket: (a pattern over S3 bucket names, * and ? as above) is for S3 instead:
        # the first such rule matching a bucket's name sends the bucket and every object in it
        # (CreateBucket, PUT, GET, LIST, DELETE, multipart) to its allocation; it never matches a
        # key-value write, and match, type and provenance do not apply to it. Create a bucket after
        # its rule is in force: a bucket stays where it was created.
        policies: []
        #  - name: sessions
        #    match: "session/*"
        #    ttl: 3600
        #  - name: sensor-readings
        #    match: "sensors/*"
        #    type: application/json
        #    ttl: 86400
        #    allocation: 3fa9c1d0...   (64 hex digits)
        #  - name: contracts
        #    match: "contracts/*"
        #    peg: true
        #  - name: archive-buckets
        #    bucket: "archive-*"
        #    allocation: 3fa9c1d0...   (64 hex digits)

        """
}
