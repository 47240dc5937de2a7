public import Merkle

/// One change in a commit (docs/PROTOCOL.md, "Commit").
public enum CommitChange: Hashable, Sendable, Codable {
    /// Create or overwrite `entry.path` with the shard staged as `uploadID`.
    case put(uploadID: String, entry: FileEntry)
    /// Remove a path.
    case delete(path: RemotePath)
    /// Move `from` to `entry.path`; the content fields must be the old entry's.
    case rename(from: RemotePath, entry: FileEntry)

    enum CodingKeys: String, CodingKey {
        case op
        case uploadID = "upload_id"
        case entry, path, from
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .op) {
        case "put":
            self = .put(
                uploadID: try container.decode(String.self, forKey: .uploadID),
                entry: try container.decode(FileEntry.self, forKey: .entry))
        case "delete":
            self = .delete(path: try container.decode(RemotePath.self, forKey: .path))
        case "rename":
            self = .rename(
                from: try container.decode(RemotePath.self, forKey: .from),
                entry: try container.decode(FileEntry.self, forKey: .entry))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .op, in: container, debugDescription: "unknown op \(other): expected put, delete or rename")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .put(let uploadID, let entry):
            try container.encode("put", forKey: .op)
            try container.encode(uploadID, forKey: .uploadID)
            try container.encode(entry, forKey: .entry)
        case .delete(let path):
            try container.encode("delete", forKey: .op)
            try container.encode(path, forKey: .path)
        case .rename(let from, let entry):
            try container.encode("rename", forKey: .op)
            try container.encode(from, forKey: .from)
            try container.encode(entry, forKey: .entry)
        }
    }

    /// The paths this change touches (for proofs and duplicate checks).
    public var paths: [String] {
        switch self {
        case .put(_, let entry): [entry.path]
        case .delete(let path): [path.string]
        case .rename(let from, let entry): [from.string, entry.path]
        }
    }
}

/// `POST /v1/allocations/{a}/commit`.
public struct CommitRequest: Hashable, Sendable, Codable {
    public var changes: [CommitChange]
    public var marker: WriteMarker

    public init(changes: [CommitChange], marker: WriteMarker) {
        self.changes = changes
        self.marker = marker
    }
}

/// `POST /v1/allocations/{a}/rollback`.
public struct RollbackRequest: Hashable, Sendable, Codable {
    public var marker: WriteMarker
    public init(marker: WriteMarker) { self.marker = marker }
}

/// What commit and rollback answer.
public struct CommitResponse: Hashable, Sendable, Codable {
    public var sequence: UInt64
    public var allocationRoot: Hash
    public var fileMetaRoot: Hash

    public init(sequence: UInt64, allocationRoot: Hash, fileMetaRoot: Hash) {
        self.sequence = sequence
        self.allocationRoot = allocationRoot
        self.fileMetaRoot = fileMetaRoot
    }

    enum CodingKeys: String, CodingKey {
        case sequence
        case allocationRoot = "allocation_root"
        case fileMetaRoot = "file_meta_root"
    }
}
