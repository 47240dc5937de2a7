import Foundation
public import Merkle
public import StorageProtocol

/// `blob status`: every blobber's head, whether it agrees with the others and with the ledger.
public struct AllocationStatus: Sendable, Codable {
    public struct Blobber: Sendable, Codable {
        public var shardIndex: Int
        public var blobberID: String
        public var reachable: Bool
        public var sequence: UInt64?
        public var allocationRoot: String?
        public var fileMetaRoot: String?
        public var fileCount: Int?
        public var storedBytes: UInt64?
        /// Its `file_meta_root` is the one most blobbers have.
        public var agrees: Bool
        /// The ledger's accepted head is this state, or an earlier marker of it still being batched.
        public var ledgerSequence: UInt64?
        public var ledgerAgrees: Bool
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case shardIndex = "shard_index"
            case blobberID = "blobber_id"
            case reachable, sequence, agrees, error
            case allocationRoot = "allocation_root"
            case fileMetaRoot = "file_meta_root"
            case fileCount = "file_count"
            case storedBytes = "stored_bytes"
            case ledgerSequence = "ledger_sequence"
            case ledgerAgrees = "ledger_agrees"
        }
    }

    public var allocationID: String
    public var agreedFileMetaRoot: String?
    public var blobbers: [Blobber]

    enum CodingKeys: String, CodingKey {
        case allocationID = "allocation_id"
        case agreedFileMetaRoot = "agreed_file_meta_root"
        case blobbers
    }

    public static func gather(_ session: AllocationSession) async -> AllocationStatus {
        let states = await withTaskGroup(of: (Int, Result<AllocationStateResponse, ClientError>).self) { group in
            for index in session.blobbers.indices {
                group.addTask {
                    // The result is assigned, not returned, inside `do throws`: Swift 6.3.1 -O miscompiles a
                    // `return` from a typed do/catch in a task-group closure (every task saw index 0).
                    let result: Result<AllocationStateResponse, ClientError>
                    do throws(ClientError) { result = .success(try await session.blobbers[index].state()) } catch {
                        result = .failure(error)
                    }
                    return (index, result)
                }
            }
            var out: [Int: Result<AllocationStateResponse, ClientError>] = [:]
            for await (index, result) in group { out[index] = result }
            return out
        }
        var counts: [Hash: Int] = [:]
        for case .success(let state)? in states.values { counts[state.head.fileMetaRoot, default: 0] += 1 }
        let agreed = counts.max { $0.value < $1.value }?.key
        let ledgerHeads = Dictionary(
            session.view.blobbers.map { ($0.blobberID, $0.head) }, uniquingKeysWith: { a, _ in a })
        var rows: [Blobber] = []
        for (index, client) in session.blobbers.enumerated() {
            let ledger = ledgerHeads[client.blobberID]
            var row = Blobber(
                shardIndex: index, blobberID: client.blobberID.hex, reachable: false, agrees: false,
                ledgerSequence: ledger?.sequence, ledgerAgrees: false)
            switch states[index] {
            case .success(let state)?:
                row.reachable = true
                row.sequence = state.head.sequence
                row.allocationRoot = state.head.allocationRoot.hex
                row.fileMetaRoot = state.head.fileMetaRoot.hex
                row.fileCount = state.fileCount
                row.storedBytes = state.storedBytes
                row.agrees = state.head.fileMetaRoot == agreed
                if let ledger {
                    row.ledgerAgrees =
                        ledger.sequence == state.head.sequence
                        ? ledger.allocationRoot == state.head.allocationRoot : ledger.sequence < state.head.sequence
                }
            case .failure(let error)?: row.error = error.description
            case nil: row.error = "no answer"
            }
            rows.append(row)
        }
        return AllocationStatus(allocationID: session.id.hex, agreedFileMetaRoot: agreed?.hex, blobbers: rows)
    }
}
