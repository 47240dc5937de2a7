import Foundation
import Merkle
import StorageProtocol

/// `blob status`: every blobber's head, the states a split left and the one it resolves to
/// (`SplitResolution`, docs/PROTOCOL.md 10.8), and whether each blobber agrees with it and with the ledger.
public struct AllocationStatus: Sendable, Codable {
    public struct Blobber: Sendable, Codable {
        public var shardIndex: Int
        public var blobberID: String
        /// How messages name it: `#2 3fa9c1d0 http://127.0.0.1:4102` (`BlobberClient.label`).
        public var label: String = ""
        public var reachable: Bool
        public var sequence: UInt64?
        public var allocationRoot: String?
        public var fileMetaRoot: String?
        public var fileCount: Int?
        public var storedBytes: UInt64?
        /// Its `file_meta_root` is the state the allocation resolves to (`SplitResolution`).
        public var agrees: Bool
        /// Timestamp of the owner-signed marker behind its head; nil when its head is not backed by one.
        public var signedAt: Int64?
        /// It can undo its latest commit.
        public var canUndo: Bool?
        /// The ledger's accepted head is this state, or an earlier marker of it still being batched.
        public var ledgerSequence: UInt64?
        public var ledgerAgrees: Bool
        public var error: String?
        /// One word for people and scripts: `healthy`, `unreachable`, `behind` (not at the agreed state),
        /// `damaged` (its last audit failed and no repair has run since) or `ledger_differs` (the ledger's
        /// head for it is neither its head nor an earlier state of it).
        public var health: String = "unreachable"
        /// Its region as registered on the ledger.
        public var region: String?
        /// Free bytes on the node (`/v1/info`: capacity − bytes on disk), and left of this allocation's
        /// share on it (`shard_size` − stored bytes).
        public var nodeFreeBytes: UInt64?
        public var shareFreeBytes: UInt64?
        /// The monitor's last content audit of it (`AuditLog`), when one ran from this wallet folder.
        public var lastAudit: AuditLog.Entry?

        /// The `health` word from the other fields, the worst first.
        var derivedHealth: String {
            if !reachable { "unreachable" }
            else if !agrees { "behind" }
            else if lastAudit?.outstandingDamage == true { "damaged" }
            else if !ledgerAgrees { "ledger_differs" }
            else { "healthy" }
        }

        enum CodingKeys: String, CodingKey {
            case shardIndex = "shard_index"
            case blobberID = "blobber_id"
            case reachable, sequence, agrees, error, label
            case allocationRoot = "allocation_root"
            case fileMetaRoot = "file_meta_root"
            case fileCount = "file_count"
            case storedBytes = "stored_bytes"
            case signedAt = "signed_at"
            case canUndo = "can_undo"
            case ledgerSequence = "ledger_sequence"
            case ledgerAgrees = "ledger_agrees"
            case health, region
            case nodeFreeBytes = "node_free_bytes"
            case shareFreeBytes = "share_free_bytes"
            case lastAudit = "last_audit"
        }
    }

    public var allocationID: String
    /// The state the allocation resolves to; nil when no state has `k` blobbers able to serve it.
    public var agreedFileMetaRoot: String?
    /// The reachable blobbers are not all at one owner-signed state.
    public var split: Bool
    /// Every state a reachable blobber holds, in the rank order of `SplitResolution`.
    public var states: [SplitResolution.Candidate]
    public var blobbers: [Blobber]

    enum CodingKeys: String, CodingKey {
        case allocationID = "allocation_id"
        case agreedFileMetaRoot = "agreed_file_meta_root"
        case split, states, blobbers
    }

    /// What every blobber answered to `GET …/state`, by shard index, and the rule's view of it.
    struct Observation: Sendable {
        var states: BlobberResults<AllocationStateResponse>
        var observed: [SplitResolution.Observed]
        var resolution: SplitResolution
    }

    static func observe(_ session: AllocationSession) async -> Observation {
        let states = await session.onEveryBlobber { _, blobber throws(ClientError) in try await blobber.state() }
        let record = (try? session.home.loadMarkers(session.id)) ?? SignedMarkers()
        let owner = session.view.allocation.ownerKey
        var observed: [SplitResolution.Observed] = []
        for (index, client) in session.blobbers.enumerated() {
            guard case .success(let state)? = states[index] else { continue }
            let head = state.head
            var signedAt: Int64?
            var undoTo: Hash?
            if head.sequence == 0, head.allocationRoot == .zero, head.fileMetaRoot == .zero {
                signedAt = 0
            } else if let marker = state.marker, marker.allocationID == session.id,
                marker.blobberID == client.blobberID, marker.sequence == head.sequence,
                marker.allocationRoot == head.allocationRoot, marker.fileMetaRoot == head.fileMetaRoot,
                (try? marker.verifySignature(owner: owner)) != nil
            {
                signedAt = marker.timestamp
                if state.canUndo, let previous = record.head(before: marker, blobber: client.blobberID) {
                    undoTo = previous.fileMetaRoot
                }
            }
            observed.append(
                .init(index: index, fileMetaRoot: head.fileMetaRoot, signedAt: signedAt, undoTo: undoTo))
        }
        return Observation(
            states: states, observed: observed, resolution: SplitResolution(observed, dataShards: session.dataShards))
    }

    public static func gather(_ session: AllocationSession) async -> AllocationStatus {
        async let infos = session.onEveryBlobber { _, blobber throws(ClientError) in try await blobber.info() }
        let observation = await observe(session)
        let nodes = await infos
        let audits = AuditLog.load(session.home, session.id)
        let states = observation.states
        let agreed = observation.resolution.chosen?.fileMetaRoot
        // Shard index → timestamp of the owner-signed marker behind its head (absent: not backed by one).
        let signed = Dictionary(
            observation.observed.compactMap { blobber in blobber.signedAt.map { (blobber.index, $0) } },
            uniquingKeysWith: { a, _ in a })
        let ledgerHeads = Dictionary(
            session.view.blobbers.map { ($0.blobberID, $0.head) }, uniquingKeysWith: { a, _ in a })
        var rows: [Blobber] = []
        for (index, client) in session.blobbers.enumerated() {
            let ledger = ledgerHeads[client.blobberID]
            var row = Blobber(
                shardIndex: index, blobberID: client.blobberID.hex, reachable: false, agrees: false,
                ledgerSequence: ledger?.sequence, ledgerAgrees: false)
            row.label = client.label
            row.region = session.regions[client.blobberID.hex]
            row.lastAudit = audits.blobbers[client.blobberID.hex]
            if case .success(let info)? = nodes[index], info.blobberID == client.blobberID {
                row.nodeFreeBytes = info.capacity >= info.used ? info.capacity - info.used : 0
                row.region = row.region ?? info.region
            }
            switch states[index] {
            case .success(let state)?:
                row.reachable = true
                row.sequence = state.head.sequence
                row.allocationRoot = state.head.allocationRoot.hex
                row.fileMetaRoot = state.head.fileMetaRoot.hex
                row.fileCount = state.fileCount
                row.storedBytes = state.storedBytes
                row.shareFreeBytes = session.capacity >= state.storedBytes ? session.capacity - state.storedBytes : 0
                row.agrees = state.head.fileMetaRoot == agreed && signed[index] != nil
                row.signedAt = signed[index]
                row.canUndo = state.canUndo
                if let ledger {
                    row.ledgerAgrees =
                        ledger.sequence == state.head.sequence
                        ? ledger.allocationRoot == state.head.allocationRoot : ledger.sequence < state.head.sequence
                }
            case .failure(let error)?: row.error = error.detail
            case nil: row.error = "no answer"
            }
            row.health = row.derivedHealth
            rows.append(row)
        }
        return AllocationStatus(
            allocationID: session.id.hex, agreedFileMetaRoot: agreed?.hex,
            split: SplitResolution.isSplit(observation.observed), states: observation.resolution.candidates,
            blobbers: rows)
    }
}
