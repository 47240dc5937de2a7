import Foundation

/// A rule of `policies:` in `gateway.yaml`: what a key-value write matches (its key, its data type,
/// its provenance) and what then applies (a default TTL, an allocation, pegging). The first matching rule wins.
/// A rule with `bucket` is for S3 instead: it sends every bucket whose name matches to its allocation.
public struct Policy: Sendable, Codable, Equatable {
    public var name: String
    /// A pattern over the key: `*` any run of characters (`/` included), `?` one character; empty: any key.
    public var match: String
    /// The value's data type starts with this (`Content-Type`, or the `type` field of `/store`); empty: any.
    public var type: String
    /// The caller's access key id, or the `provenance` field of `/store`; empty: anyone.
    public var provenance: String
    /// Seconds until a matched key expires when the request gives no `ttl`; nil: no expiry.
    public var ttl: Int64?
    /// The allocation (hex id) a matched key is stored in; empty: the gateway's own.
    public var allocation: String
    /// Whether a matched key is pegged on the ledger (as `peg: true` in the request).
    public var peg: Bool
    /// A pattern over S3 bucket names (as `match`): set, the rule is for S3 buckets only (a bucket and
    /// every object in it live in the rule's allocation) and never matches a key-value write.
    public var bucket: String

    enum CodingKeys: String, CodingKey { case name, match, type, provenance, ttl, allocation, peg, bucket }

    public init(
        name: String, match: String = "", type: String = "", provenance: String = "", ttl: Int64? = nil,
        allocation: String = "", peg: Bool = false, bucket: String = ""
    ) {
        self.name = name
        self.match = match
        self.type = type
        self.provenance = provenance
        self.ttl = ttl
        self.allocation = allocation
        self.peg = peg
        self.bucket = bucket
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        match = try c.decodeIfPresent(String.self, forKey: .match) ?? ""
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? ""
        provenance = try c.decodeIfPresent(String.self, forKey: .provenance) ?? ""
        ttl = try c.decodeIfPresent(Int64.self, forKey: .ttl)
        allocation = try c.decodeIfPresent(String.self, forKey: .allocation) ?? ""
        peg = try c.decodeIfPresent(Bool.self, forKey: .peg) ?? false
        bucket = try c.decodeIfPresent(String.self, forKey: .bucket) ?? ""
    }

    public func matches(key: String, type dataType: String, provenance caller: String) -> Bool {
        bucket.isEmpty && (match.isEmpty || Self.glob(match, key)) && (type.isEmpty || dataType.hasPrefix(type))
            && (provenance.isEmpty || provenance == caller)
    }

    /// `*` and `?` over Unicode scalars, iteratively (no backtracking blow-up).
    public static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let t = Array(text.unicodeScalars)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// The first S3 rule (one with `bucket`) of `rules` whose pattern matches `bucketName`, if any.
    public static func first(_ rules: [Policy], bucket bucketName: String) -> Policy? {
        rules.first { !$0.bucket.isEmpty && glob($0.bucket, bucketName) }
    }

    /// The first key-value rule of `rules` that matches, if any.
    public static func first(_ rules: [Policy], key: String, type: String, provenance: String) -> Policy? {
        rules.first { $0.matches(key: key, type: type, provenance: provenance) }
    }
}
