public import Merkle

/// The state a chain has reached after its last accepted marker: what the next marker must follow.
public struct MarkerChainHead: Hashable, Sendable, Codable {
    public var sequence: UInt64
    public var allocationRoot: Hash
    public var chainHash: Hash?
    public var chainSize: UInt64
    public var timestamp: Int64

    /// Before any marker: sequence 0, the empty root, no chain hash, nothing stored.
    public static let genesis = MarkerChainHead(
        sequence: 0, allocationRoot: .zero, chainHash: nil, chainSize: 0, timestamp: .min)

    public init(sequence: UInt64, allocationRoot: Hash, chainHash: Hash?, chainSize: UInt64, timestamp: Int64) {
        self.sequence = sequence
        self.allocationRoot = allocationRoot
        self.chainHash = chainHash
        self.chainSize = chainSize
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case sequence
        case allocationRoot = "allocation_root"
        case chainHash = "chain_hash"
        case chainSize = "chain_size"
        case timestamp
    }
}

extension WriteMarker {
    /// The head of the chain once this marker is accepted.
    public var head: MarkerChainHead {
        MarkerChainHead(
            sequence: sequence, allocationRoot: allocationRoot, chainHash: chainHash, chainSize: chainSize,
            timestamp: timestamp)
    }

    /// Checks the link from `head` to this marker: sequence + 1, previous root continuity, chain hash,
    /// chain size arithmetic (never negative, at most `capacity`), and time not going backwards.
    /// The signature is checked separately (`verifySignature`), as it needs the owner's key.
    public func verifyLink(from head: MarkerChainHead, capacity: UInt64) throws(MarkerError) {
        guard head.sequence < UInt64.max, sequence == head.sequence + 1 else {
            throw .sequenceGap(expected: head.sequence &+ 1, got: sequence)
        }
        guard previousAllocationRoot == head.allocationRoot else {
            throw .wrongPreviousRoot(expected: head.allocationRoot, got: previousAllocationRoot)
        }
        let expectedChainHash = WriteMarker.chainHash(previous: head.chainHash, root: allocationRoot)
        guard chainHash == expectedChainHash else { throw .badChainHash(expected: expectedChainHash, got: chainHash) }
        let (newSize, overflow) = Int64(clamping: head.chainSize).addingReportingOverflow(size)
        guard !overflow, head.chainSize <= UInt64(Int64.max) else { throw .chainSizeOverflow }
        guard newSize >= 0 else { throw .negativeChainSize(previous: head.chainSize, delta: size) }
        guard chainSize == UInt64(newSize) else { throw .chainSizeMismatch(expected: UInt64(newSize), got: chainSize) }
        guard chainSize <= capacity else { throw .capacityExceeded(chainSize: chainSize, capacity: capacity) }
        guard timestamp >= head.timestamp else { throw .timestampBackwards(previous: head.timestamp, got: timestamp) }
    }
}

/// Why a write marker was refused. Codes are stable and listed in docs/PROTOCOL.md.
public enum MarkerError: CodedError, Equatable {
    case missingSignature
    case badSignature(blobber: BlobberID)
    case wrongClient(expected: ClientID, got: ClientID)
    case wrongBlobber(expected: BlobberID, got: BlobberID)
    case wrongAllocation(expected: AllocationID, got: AllocationID)
    case sequenceGap(expected: UInt64, got: UInt64)
    case wrongPreviousRoot(expected: Hash, got: Hash)
    case badChainHash(expected: Hash, got: Hash)
    case chainSizeOverflow
    case negativeChainSize(previous: UInt64, delta: Int64)
    case chainSizeMismatch(expected: UInt64, got: UInt64)
    case capacityExceeded(chainSize: UInt64, capacity: UInt64)
    case timestampBackwards(previous: Int64, got: Int64)
    case timestampOutsideAllocation(timestamp: Int64, start: Int64, expiry: Int64)
    case wrongRoot(expected: Hash, got: Hash)
    case wrongFileMetaRoot(expected: Hash, got: Hash)
    case wrongSize(expected: Int64, got: Int64)

    public var code: String {
        switch self {
        case .missingSignature: "marker.missing_signature"
        case .badSignature: "marker.bad_signature"
        case .wrongClient: "marker.wrong_client"
        case .wrongBlobber: "marker.wrong_blobber"
        case .wrongAllocation: "marker.wrong_allocation"
        case .sequenceGap: "marker.sequence_gap"
        case .wrongPreviousRoot: "marker.wrong_previous_root"
        case .badChainHash: "marker.bad_chain_hash"
        case .chainSizeOverflow: "marker.chain_size_overflow"
        case .negativeChainSize: "marker.negative_chain_size"
        case .chainSizeMismatch: "marker.chain_size_mismatch"
        case .capacityExceeded: "marker.capacity_exceeded"
        case .timestampBackwards: "marker.timestamp_backwards"
        case .timestampOutsideAllocation: "marker.timestamp_outside_allocation"
        case .wrongRoot: "marker.wrong_root"
        case .wrongFileMetaRoot: "marker.wrong_file_meta_root"
        case .wrongSize: "marker.wrong_size"
        }
    }

    public var description: String {
        switch self {
        case .missingSignature: "the write marker is not signed"
        case .badSignature(let blobber): "the write marker for blobber \(blobber) is not signed by the allocation owner"
        case .wrongClient(let expected, let got): "the marker names client \(got), but the allocation owner is \(expected)"
        case .wrongBlobber(let expected, let got): "the marker names blobber \(got), expected \(expected)"
        case .wrongAllocation(let expected, let got): "the marker names allocation \(got), expected \(expected)"
        case .sequenceGap(let expected, let got): "marker sequence \(got) does not follow: expected \(expected)"
        case .wrongPreviousRoot(let expected, let got):
            "the marker's previous root \(got) is not the current root \(expected)"
        case .badChainHash(let expected, let got): "chain hash \(got) is wrong: expected \(expected)"
        case .chainSizeOverflow: "chain size overflows"
        case .negativeChainSize(let previous, let delta): "chain size \(previous) + \(delta) would be negative"
        case .chainSizeMismatch(let expected, let got): "chain size \(got) is wrong: previous + size = \(expected)"
        case .capacityExceeded(let chainSize, let capacity):
            "chain size \(chainSize) exceeds this blobber's share of the allocation (\(capacity) bytes)"
        case .timestampBackwards(let previous, let got): "marker time \(got) is before the previous marker's \(previous)"
        case .timestampOutsideAllocation(let timestamp, let start, let expiry):
            "marker time \(timestamp) is outside the allocation's life [\(start), \(expiry)]"
        case .wrongRoot(let expected, let got):
            "the marker's allocation root \(got) is not the root the blobber computed, \(expected)"
        case .wrongFileMetaRoot(let expected, let got):
            "the marker's file_meta_root \(got) is not the one the blobber computed, \(expected)"
        case .wrongSize(let expected, let got): "the marker's size \(got) is not the change in stored bytes, \(expected)"
        }
    }
}
