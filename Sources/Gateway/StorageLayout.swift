public import StorageProtocol

/// Where the gateway keeps things in its allocation (docs/GATEWAY.md, "Layout"):
///
/// - an S3 object `KEY` of bucket `B`: the file `/B/KEY`, bytes as sent (a `blob download` reads it as is);
/// - a key-value entry `KEY`: the file `/.kv/KEY` (the key-value store is the bucket `.kv`, which no S3
///   bucket name can be);
/// - each object's metadata (content type, ETag, `x-amz-meta-*`, expiry): the JSON file
///   `/.gateway/meta/B/KEY`, written in the same commit as the object;
/// - a folder object `KEY/` (empty, its key ending in `/`): the file `/.gateway/folders/B/KEY/.folder`,
///   its metadata as JSON;
/// - a bucket: the marker file `/.gateway/buckets/B` (directories are implicit, an empty bucket is not);
/// - an object with an expiry: also `/.gateway/ttl/SECOND/B/KEY` (SECOND: the Unix second it expires,
///   12 digits), which the sweep lists to find what has expired.
public enum StorageLayout {
    public static let kvBucket = ".kv"
    static let root = "/.gateway"
    static let metaRoot = root + "/meta/"
    static let bucketRoot = root + "/buckets/"
    static let ttlRoot = root + "/ttl/"
    static let folderRoot = root + "/folders/"
    static let folderMarkerName = ".folder"

    public static func object(_ bucket: String, _ key: ObjectKey) throws(GatewayError) -> RemotePath {
        try path("/" + bucket + "/" + key.text)
    }

    public static func meta(_ bucket: String, _ key: ObjectKey) throws(GatewayError) -> RemotePath {
        try path(metaRoot + bucket + "/" + key.text)
    }

    /// The marker of the S3 folder object `KEY/` (an empty object whose key ends in `/`, as s3fs and
    /// the S3 consoles make for a folder): `/.gateway/folders/B/KEY/.folder`, holding its metadata.
    public static func folderMarker(_ bucket: String, _ key: ObjectKey) throws(GatewayError) -> RemotePath {
        guard !key.text.split(separator: "/").contains(Substring(folderMarkerName)) else {
            throw .invalidKey(reason: "a folder key must not have a segment named \(folderMarkerName)")
        }
        return try path(folderRoot + bucket + "/" + key.text + "/" + folderMarkerName)
    }

    public static func bucketMarker(_ bucket: String) throws(GatewayError) -> RemotePath {
        try path(bucketRoot + bucket)
    }

    public static func ttlMarker(_ bucket: String, _ key: ObjectKey, expiresAt millis: Int64) throws(GatewayError)
        -> RemotePath
    {
        try path(ttlRoot + ttlFolder(millis) + "/" + bucket + "/" + key.text)
    }

    /// The folder name of the second an expiry falls in (rounded up, so a marker is never swept early).
    static func ttlFolder(_ millis: Int64) -> String {
        let seconds = millis / 1000 + (millis % 1000 == 0 ? 0 : 1)
        let text = String(max(0, seconds))
        return String(repeating: "0", count: max(0, 12 - text.count)) + text
    }

    static func path(_ text: String) throws(GatewayError) -> RemotePath {
        do { return try RemotePath(text) } catch {
            throw .invalidKey(reason: "the key makes a path the allocation refuses: \(error)")
        }
    }
}

/// An object or key-value key as a client sent it, checked: 1 to 1,024 bytes of valid UTF-8, no empty
/// segment, no `.` or `..` segment, no control character, not ending in `/`.
public struct ObjectKey: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public static let maxBytes = 1024

    public init(utf8 bytes: [UInt8]) throws(GatewayError) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidKey(reason: "the key is not valid UTF-8")
        }
        try self.init(text)
    }

    public init(_ text: String) throws(GatewayError) {
        let count = text.utf8.count
        guard count > 0 else { throw .invalidKey(reason: "the key is empty") }
        guard count <= Self.maxBytes else {
            throw .invalidKey(reason: "the key is \(count) bytes; at most \(Self.maxBytes) are allowed")
        }
        guard !text.hasPrefix("/"), !text.hasSuffix("/") else {
            throw .invalidKey(reason: "the key must not start or end with /")
        }
        for segment in text.split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { throw .invalidKey(reason: "the key contains an empty segment (//)") }
            if segment == "." || segment == ".." { throw .invalidKey(reason: "the key contains a . or .. segment") }
        }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw .invalidKey(reason: "the key contains a control character")
        }
        self.text = text
    }

    public var description: String { text }
}

/// A bucket name as S3 allows it: 3 to 63 of a-z, 0-9, `-` and `.`, starting and ending with a letter or digit.
public struct BucketName: Sendable, Hashable {
    public let text: String

    public init(_ text: String) throws(GatewayError) {
        let bytes = Array(text.utf8)
        guard (3...63).contains(bytes.count),
            bytes.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E }),
            let first = bytes.first, let last = bytes.last, first != 0x2D, first != 0x2E, last != 0x2D, last != 0x2E,
            !text.contains("..")
        else { throw .invalidBucketName(text) }
        self.text = text
    }
}
