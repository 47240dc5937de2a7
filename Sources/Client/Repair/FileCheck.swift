import Merkle
import StorageProtocol

/// Which blobbers hold a file at the version the allocation agrees on (zstor's `check`), and with
/// `verify` whether every block of each one's shard still verifies against its proof (Tahoe's
/// `check --verify`).
public struct FileCheck: Sendable, Codable {
    public struct Blobber: Sendable, Codable {
        public var shardIndex: Int
        public var blobberID: String
        /// `agreed` (holds the agreed version), `other_version`, `missing` or `failed` (see `detail`).
        public var state: String
        public var detail: String?
        /// With `verify`, for a blobber in `agreed`: what its shard's blocks showed.
        public var audit: ShardAudit.Finding?

        enum CodingKeys: String, CodingKey {
            case state, detail, audit
            case shardIndex = "shard_index"
            case blobberID = "blobber_id"
        }
    }

    public var path: String
    public var size: Int64
    public var contentHash: String
    /// Blobbers that hold the agreed version (and, with `verify`, whose shard verified whole).
    public var good: Int
    /// `k`: fewer good blobbers and the file cannot be read.
    public var required: Int
    /// Every blobber good.
    public var healthy: Bool
    public var blobbers: [Blobber]

    enum CodingKeys: String, CodingKey {
        case path, size, good, required, healthy, blobbers
        case contentHash = "content_hash"
    }

    /// Asks every blobber for `path` (waiting for all of them) and, with `verify`, reads and verifies every
    /// block of each agreeing blobber's shard.
    static func run(_ session: AllocationSession, path: RemotePath, verify: Bool) async throws(ClientError) -> FileCheck {
        let located = try await Downloader(session: session).locate(path, waitForAll: true)
        let audits: [Int: ShardAudit.Finding]
        if verify {
            let auditor = ShardAudit()
            // Each blobber's own entry: its shard root is its own (the entries agree on everything else).
            let entries = Dictionary(located.sources.map { ($0.index, $0.entry) }, uniquingKeysWith: { a, _ in a })
            let results = await FanOut.run(entries.keys, slots: session.blobbers.count) { index in
                await auditor.audit(session.blobbers[index], shardIndex: index, entry: entries[index]!)
            }
            audits = Dictionary(uniqueKeysWithValues: results.successes.map { ($0.index, $0.value) })
        } else {
            audits = [:]
        }
        var rows: [Blobber] = []
        for (index, client) in session.blobbers.enumerated() {
            let id = client.blobberID.hex
            var row = Blobber(shardIndex: index, blobberID: id, state: "missing", detail: nil, audit: audits[index])
            if located.sources.contains(where: { $0.index == index }) {
                row.state = "agreed"
                if let audit = audits[index], audit.isDamaged || audit.unreachable {
                    row.detail = audit.problem
                }
            } else if let failure = located.failures[id] {
                row.state = failure.hasPrefix("holds another version") ? "other_version" : "failed"
                row.detail = failure
            }
            rows.append(row)
        }
        let good = rows.filter { row in
            row.state == "agreed" && !(row.audit.map { $0.isDamaged || $0.unreachable } ?? false)
        }.count
        return FileCheck(
            path: path.string, size: located.entry.size, contentHash: located.entry.contentHash.hex, good: good,
            required: session.dataShards, healthy: good == session.blobbers.count, blobbers: rows)
    }
}
