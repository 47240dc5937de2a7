/// One file as a blobber records it: the value committed under `H(path)` in the allocation trie.
///
/// JSON (snake_case): `{"path","size","content_hash","shard_root","block_count","encryption",
/// "created_at","updated_at"}`; hashes and `encryption` are lowercase hex.
public struct FileEntry: Sendable, Hashable, Codable {
    /// Absolute path, UTF-8.
    public var path: String
    /// Real file bytes (before padding and coding).
    public var size: Int64
    /// SHA-256 of the whole plaintext file.
    public var contentHash: Hash
    /// Root of this blobber's shard tree for the file (differs per blobber).
    public var shardRoot: Hash
    /// Blocks in this blobber's shard (equal on every blobber of the file).
    public var blockCount: UInt64
    /// Wrapped key material; empty when the file is not encrypted.
    public var encryption: [UInt8]
    /// Unix milliseconds.
    public var createdAt: Int64
    /// Unix milliseconds.
    public var updatedAt: Int64

    public init(
        path: String, size: Int64, contentHash: Hash, shardRoot: Hash, blockCount: UInt64,
        encryption: [UInt8] = [], createdAt: Int64, updatedAt: Int64
    ) {
        self.path = path
        self.size = size
        self.contentHash = contentHash
        self.shardRoot = shardRoot
        self.blockCount = blockCount
        self.encryption = encryption
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case path
        case size
        case contentHash = "content_hash"
        case shardRoot = "shard_root"
        case blockCount = "block_count"
        case encryption
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        size = try container.decode(Int64.self, forKey: .size)
        contentHash = try container.decode(Hash.self, forKey: .contentHash)
        shardRoot = try container.decode(Hash.self, forKey: .shardRoot)
        blockCount = try container.decode(UInt64.self, forKey: .blockCount)
        let hex = try container.decode(String.self, forKey: .encryption)
        guard let bytes = Hex.decode(hex) else {
            throw DecodingError.dataCorruptedError(
                forKey: .encryption, in: container, debugDescription: "encryption is not hexadecimal")
        }
        encryption = bytes
        createdAt = try container.decode(Int64.self, forKey: .createdAt)
        updatedAt = try container.decode(Int64.self, forKey: .updatedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(size, forKey: .size)
        try container.encode(contentHash, forKey: .contentHash)
        try container.encode(shardRoot, forKey: .shardRoot)
        try container.encode(blockCount, forKey: .blockCount)
        try container.encode(Hex.encode(encryption), forKey: .encryption)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
