import Merkle

/// The blobber's HTTP routes (docs/PROTOCOL.md section 8, "Endpoints"): the one table both the client,
/// which builds request targets from it, and the blobber, which registers its router patterns from it, use.
public enum BlobberRoute {
    /// `GET /health`.
    public static let health = "/health"
    /// `GET /metrics`.
    public static let metrics = "/metrics"
    /// `GET /openapi.json`: the OpenAPI 3.1 document of this API (docs/openapi/blobber.json).
    public static let openAPI = "/openapi.json"
    /// `GET /v1/info`.
    public static let info = "/v1/info"
    /// The group every per-allocation route lives under.
    public static let allocations = "/v1/allocations"

    /// `/v1/allocations/{a}`.
    public static func allocation(_ allocation: AllocationID) -> String { "\(allocations)/\(allocation.hex)" }
    /// `PUT`, `GET`, `DELETE /v1/allocations/{a}/uploads/{u}`.
    public static func upload(allocation: AllocationID, uploadID: String) -> String {
        "\(Self.allocation(allocation))/uploads/\(uploadID)"
    }
    /// `POST /v1/allocations/{a}/proofs`.
    public static func proofs(allocation: AllocationID) -> String { "\(Self.allocation(allocation))/proofs" }
    /// `POST /v1/allocations/{a}/commit`.
    public static func commit(allocation: AllocationID) -> String { "\(Self.allocation(allocation))/commit" }
    /// `POST /v1/allocations/{a}/rollback`.
    public static func rollback(allocation: AllocationID) -> String { "\(Self.allocation(allocation))/rollback" }
    /// `GET /v1/allocations/{a}/state`.
    public static func state(allocation: AllocationID) -> String { "\(Self.allocation(allocation))/state" }
    /// `POST /v1/allocations/{a}/reencryption-keys`.
    public static func reencryptionKeys(allocation: AllocationID) -> String {
        "\(Self.allocation(allocation))/reencryption-keys"
    }
    /// `GET /v1/allocations/{a}/file?path=…`.
    public static func file(allocation: AllocationID) -> String { "\(Self.allocation(allocation))/file" }
    /// `GET /v1/allocations/{a}/list?path=…`.
    public static func list(allocation: AllocationID) -> String { "\(Self.allocation(allocation))/list" }
    /// `GET /v1/allocations/{a}/blocks?path=…&start=…&count=…`.
    public static func blocks(allocation: AllocationID) -> String { "\(Self.allocation(allocation))/blocks" }

    /// Router patterns below `allocations`, with the parameters `Parameter` names.
    public enum Pattern {
        public static let upload = ":\(Parameter.allocation)/uploads/:\(Parameter.upload)"
        public static let proofs = ":\(Parameter.allocation)/proofs"
        public static let commit = ":\(Parameter.allocation)/commit"
        public static let rollback = ":\(Parameter.allocation)/rollback"
        public static let state = ":\(Parameter.allocation)/state"
        public static let reencryptionKeys = ":\(Parameter.allocation)/reencryption-keys"
        public static let file = ":\(Parameter.allocation)/file"
        public static let list = ":\(Parameter.allocation)/list"
        public static let blocks = ":\(Parameter.allocation)/blocks"
    }

    /// Names of the path parameters in `Pattern`.
    public enum Parameter {
        public static let allocation = "a"
        public static let upload = "u"
    }

    /// Names of the query parameters.
    public enum Query {
        public static let path = "path"
        public static let offset = "offset"
        public static let start = "start"
        public static let count = "count"
    }
}

/// The blobber's `x-blob-…` headers other than the signature's (`RequestAuth.Header`).
public enum BlobberHeader {
    /// On an upload: the shard's whole length.
    public static let shardSize = UploadStatus.shardSizeHeader
    /// On a read by someone other than the owner: hex of the share ticket's JSON.
    public static let ticket = ShareTicket.header
    /// On a blocks answer: the shard root, its leaf count, and the hex range proof.
    public static let shardRoot = "x-blob-shard-root"
    public static let blockCount = "x-blob-block-count"
    public static let rangeProof = "x-blob-range-proof"
}
