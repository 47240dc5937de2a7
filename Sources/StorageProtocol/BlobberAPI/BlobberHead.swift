public import Merkle

/// A blobber's state of one allocation: its chain head and roots.
public struct BlobberHead: Hashable, Sendable, Codable {
    public var sequence: UInt64
    public var allocationRoot: Hash
    public var fileMetaRoot: Hash
    public var chainHash: Hash?
    public var chainSize: UInt64
    public var timestamp: Int64

    public init(
        sequence: UInt64, allocationRoot: Hash, fileMetaRoot: Hash, chainHash: Hash?, chainSize: UInt64,
        timestamp: Int64
    ) {
        self.sequence = sequence
        self.allocationRoot = allocationRoot
        self.fileMetaRoot = fileMetaRoot
        self.chainHash = chainHash
        self.chainSize = chainSize
        self.timestamp = timestamp
    }

    public static let empty = BlobberHead(
        sequence: 0, allocationRoot: .zero, fileMetaRoot: .zero, chainHash: nil, chainSize: 0, timestamp: .min)

    /// The head as the marker chain rules see it.
    public var chainHead: MarkerChainHead {
        MarkerChainHead(
            sequence: sequence, allocationRoot: allocationRoot, chainHash: chainHash, chainSize: chainSize,
            timestamp: timestamp)
    }

    enum CodingKeys: String, CodingKey {
        case sequence
        case allocationRoot = "allocation_root"
        case fileMetaRoot = "file_meta_root"
        case chainHash = "chain_hash"
        case chainSize = "chain_size"
        case timestamp
    }
}

/// `POST /v1/allocations/{a}/proofs` body.
public struct ProofsRequest: Hashable, Sendable, Codable {
    public var paths: [String]
    public init(paths: [String]) { self.paths = paths }
    public static let maxPaths = 10_000
}

/// `POST /v1/allocations/{a}/proofs` answer: proofs for each path against both roots of `head`.
public struct ProofsResponse: Sendable, Codable {
    public var head: BlobberHead
    public var marker: WriteMarker?
    public var proofs: [String: TrieProof]
    public var metaProofs: [String: TrieProof]

    public init(head: BlobberHead, marker: WriteMarker?, proofs: [String: TrieProof], metaProofs: [String: TrieProof]) {
        self.head = head
        self.marker = marker
        self.proofs = proofs
        self.metaProofs = metaProofs
    }

    enum CodingKeys: String, CodingKey {
        case head, marker, proofs
        case metaProofs = "meta_proofs"
    }
}

/// `GET /v1/allocations/{a}/state` answer.
public struct AllocationStateResponse: Sendable, Codable {
    public var head: BlobberHead
    public var marker: WriteMarker?
    public var storedBytes: UInt64
    public var fileCount: Int
    public var pendingMarkers: Int
    public var canUndo: Bool

    public init(
        head: BlobberHead, marker: WriteMarker?, storedBytes: UInt64, fileCount: Int, pendingMarkers: Int,
        canUndo: Bool
    ) {
        self.head = head
        self.marker = marker
        self.storedBytes = storedBytes
        self.fileCount = fileCount
        self.pendingMarkers = pendingMarkers
        self.canUndo = canUndo
    }

    enum CodingKeys: String, CodingKey {
        case head, marker
        case storedBytes = "stored_bytes"
        case fileCount = "file_count"
        case pendingMarkers = "pending_markers"
        case canUndo = "can_undo"
    }
}

/// `GET /v1/allocations/{a}/file?path=P` answer.
public struct FileResponse: Sendable, Codable {
    public var entry: FileEntry
    public var proof: TrieProof
    public var marker: WriteMarker?
    /// Only for a reader whose ticket has a re-encryption key here and an entry with a version-2
    /// encryption header: its capsule, transformed for that reader.
    public var capsule: TransformedCapsule?

    public init(entry: FileEntry, proof: TrieProof, marker: WriteMarker?, capsule: TransformedCapsule? = nil) {
        self.entry = entry
        self.proof = proof
        self.marker = marker
        self.capsule = capsule
    }
}

/// `GET /v1/allocations/{a}/list?path=D` answer.
public struct ListResponse: Sendable, Codable {
    public var path: String
    public var files: [FileEntry]
    /// Names of the directories directly below, ending in `/`.
    public var directories: [String]

    public init(path: String, files: [FileEntry], directories: [String]) {
        self.path = path
        self.files = files
        self.directories = directories
    }
}

/// Upload state: `PUT` and `GET /v1/allocations/{a}/uploads/{u}`.
public struct UploadStatus: Hashable, Sendable, Codable {
    public var uploadID: String
    public var received: UInt64
    public var complete: Bool
    public var shardRoot: Hash?
    public var blockCount: UInt64?

    public init(uploadID: String, received: UInt64, complete: Bool, shardRoot: Hash?, blockCount: UInt64?) {
        self.uploadID = uploadID
        self.received = received
        self.complete = complete
        self.shardRoot = shardRoot
        self.blockCount = blockCount
    }

    enum CodingKeys: String, CodingKey {
        case uploadID = "upload_id"
        case received, complete
        case shardRoot = "shard_root"
        case blockCount = "block_count"
    }

    /// Upload ids: 1 to 64 characters of `[A-Za-z0-9_-]`.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "_")
            }
    }

    public static let shardSizeHeader = "x-blob-shard-size"
}

/// Blobber `GET /v1/info`.
public struct BlobberInfo: Hashable, Sendable, Codable {
    public var blobberID: BlobberID
    public var publicKey: PublicKey
    public var capacity: UInt64
    public var used: UInt64
    public var region: String

    public init(blobberID: BlobberID, publicKey: PublicKey, capacity: UInt64, used: UInt64, region: String) {
        self.blobberID = blobberID
        self.publicKey = publicKey
        self.capacity = capacity
        self.used = used
        self.region = region
    }

    enum CodingKeys: String, CodingKey {
        case blobberID = "blobber_id"
        case publicKey = "public_key"
        case capacity, used, region
    }
}
