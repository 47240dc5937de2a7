public import Foundation

/// The gateway's credentials, in `HOME/gateway-keys.json` (mode 0600): each an S3 access key pair and
/// a bearer API key for the key-value API, with the buckets it may use (`*`: every bucket).
public struct AccessKey: Sendable, Codable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var apiKey: String
    /// Bucket names this key may use; `*` grants all. The key-value store is the bucket `.kv`.
    public var buckets: [String]
    public var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case accessKeyID = "access_key_id"
        case secretAccessKey = "secret_access_key"
        case apiKey = "api_key"
        case buckets
        case createdAt = "created_at"
    }

    public init(accessKeyID: String, secretAccessKey: String, apiKey: String, buckets: [String], createdAt: Int64) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.apiKey = apiKey
        self.buckets = buckets
        self.createdAt = createdAt
    }

    public func allows(bucket: String) -> Bool {
        buckets.contains("*") || buckets.contains(bucket)
    }

    /// A new key with random secrets.
    public static func generate(buckets: [String], now: Int64) -> AccessKey {
        AccessKey(
            accessKeyID: "GW" + randomText(18, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")),
            secretAccessKey: randomText(
                40, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")),
            apiKey: "gwk_" + randomText(40, alphabet: Array("abcdefghijklmnopqrstuvwxyz0123456789")),
            buckets: buckets, createdAt: now)
    }

    static func randomText(_ count: Int, alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}

/// The key file: read, appended to, written with mode 0600 (never wider).
public struct AccessKeyStore: Sendable {
    public let path: String

    public init(home: String) { path = home + "/gateway-keys.json" }

    struct File: Codable { var keys: [AccessKey] }

    public func load() throws(GatewayError) -> [AccessKey] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(File.self, from: data).keys
        } catch { throw .local("cannot read the key file \(path): \(error)") }
    }

    public func add(_ key: AccessKey) throws(GatewayError) {
        var keys = try load()
        keys.append(key)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            let data = try encoder.encode(File(keys: keys))
            let temporary = path + ".tmp"
            FileManager.default.createFile(
                atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary)
            if rename(temporary, path) != 0 { throw GatewayError.local("cannot write \(path): errno \(errno)") }
        } catch let error as GatewayError { throw error } catch {
            throw .local("cannot write the key file \(path): \(error)")
        }
    }
}

/// The keys in force, looked up by access key id or API key (constant-time comparison of secrets).
public struct AccessKeyring: Sendable {
    public let keys: [AccessKey]

    public init(_ keys: [AccessKey]) { self.keys = keys }

    public func key(accessKeyID: String) -> AccessKey? { keys.first { $0.accessKeyID == accessKeyID } }

    public func key(apiKey: String) -> AccessKey? {
        let offered = Array(apiKey.utf8)
        return keys.first { constantTimeEqual(Array($0.apiKey.utf8), offered) }
    }
}

func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}
