public import Merkle

/// The owner's signed acknowledgement of one commit on one blobber.
///
/// Markers on one (allocation, blobber) form a chain: `sequence` grows by one, each marker's
/// `previousAllocationRoot` is the last marker's `allocationRoot`, `chainSize` accumulates the signed
/// `size` deltas, and `chainHash = H(previous chainHash ‖ allocationRoot)` (the first: `H(allocationRoot)`).
/// A rollback is an ordinary marker whose root goes back to the root before the latest commit.
public struct WriteMarker: Hashable, Sendable, Codable {
    public var allocationID: AllocationID
    public var blobberID: BlobberID
    public var clientID: ClientID
    /// 1 for the first marker on this (allocation, blobber), then +1 per marker.
    public var sequence: UInt64
    public var allocationRoot: Hash
    public var previousAllocationRoot: Hash
    public var fileMetaRoot: Hash
    /// Bytes this commit adds to the blobber's share (negative for deletes and rollbacks).
    public var size: Int64
    /// The blobber's stored bytes for this allocation after this marker; never negative.
    public var chainSize: UInt64
    public var chainHash: Hash
    /// Unix time in milliseconds.
    public var timestamp: Int64
    public var signature: Signature?

    /// The one-byte tag that starts a marker's canonical encoding.
    public static let hashTag: UInt8 = 0x20
    /// Length of the canonical encoding.
    public static let canonicalByteCount = 1 + 32 * 3 + 8 + 32 * 3 + 8 + 8 + 32 + 8

    public init(
        allocationID: AllocationID, blobberID: BlobberID, clientID: ClientID, sequence: UInt64,
        allocationRoot: Hash, previousAllocationRoot: Hash, fileMetaRoot: Hash, size: Int64, chainSize: UInt64,
        chainHash: Hash, timestamp: Int64, signature: Signature? = nil
    ) {
        self.allocationID = allocationID
        self.blobberID = blobberID
        self.clientID = clientID
        self.sequence = sequence
        self.allocationRoot = allocationRoot
        self.previousAllocationRoot = previousAllocationRoot
        self.fileMetaRoot = fileMetaRoot
        self.size = size
        self.chainSize = chainSize
        self.chainHash = chainHash
        self.timestamp = timestamp
        self.signature = signature
    }

    enum CodingKeys: String, CodingKey {
        case allocationID = "allocation_id"
        case blobberID = "blobber_id"
        case clientID = "client_id"
        case sequence
        case allocationRoot = "allocation_root"
        case previousAllocationRoot = "previous_allocation_root"
        case fileMetaRoot = "file_meta_root"
        case size
        case chainSize = "chain_size"
        case chainHash = "chain_hash"
        case timestamp
        case signature
    }

    /// The canonical encoding of every field but the signature (big-endian integers, raw 32-byte hashes):
    /// `0x20 ‖ allocation_id ‖ blobber_id ‖ client_id ‖ u64 sequence ‖ allocation_root ‖
    /// previous_allocation_root ‖ file_meta_root ‖ i64 size ‖ u64 chain_size ‖ chain_hash ‖ i64 timestamp`.
    public var canonicalBytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(WriteMarker.canonicalByteCount)
        out.append(WriteMarker.hashTag)
        out += allocationID.hash.bytes
        out += blobberID.hash.bytes
        out += clientID.hash.bytes
        out.appendBigEndian(sequence)
        out += allocationRoot.bytes
        out += previousAllocationRoot.bytes
        out += fileMetaRoot.bytes
        out.appendBigEndian(UInt64(bitPattern: size))
        out.appendBigEndian(chainSize)
        out += chainHash.bytes
        out.appendBigEndian(UInt64(bitPattern: timestamp))
        return out
    }

    /// SHA-256 of the canonical encoding; the signature is over these 32 bytes.
    public var hash: Hash {
        var hasher = SHA256()
        hasher.update(byte: WriteMarker.hashTag)
        hasher.update(hash: allocationID.hash)
        hasher.update(hash: blobberID.hash)
        hasher.update(hash: clientID.hash)
        hasher.update(uint64: sequence)
        hasher.update(hash: allocationRoot)
        hasher.update(hash: previousAllocationRoot)
        hasher.update(hash: fileMetaRoot)
        hasher.update(int64: size)
        hasher.update(uint64: chainSize)
        hasher.update(hash: chainHash)
        hasher.update(int64: timestamp)
        return hasher.finalize()
    }

    /// `H(previous ‖ root)`, or `H(root)` for the first marker of a chain.
    public static func chainHash(previous: Hash?, root: Hash) -> Hash {
        var hasher = SHA256()
        if let previous { hasher.update(hash: previous) }
        hasher.update(hash: root)
        return hasher.finalize()
    }

    /// Signs the marker with the owner's key. The key must be the marker's client.
    public mutating func sign(with key: SigningKey) {
        precondition(key.publicKey.clientID == clientID, "a marker is signed by its client")
        signature = key.signature(over: hash)
    }

    public func signed(with key: SigningKey) -> WriteMarker {
        var copy = self
        copy.sign(with: key)
        return copy
    }

    /// Checks that the marker is signed by `owner` and names that owner as its client.
    public func verifySignature(owner: PublicKey) throws(MarkerError) {
        guard owner.clientID == clientID else { throw .wrongClient(expected: owner.clientID, got: clientID) }
        guard let signature else { throw .missingSignature }
        guard owner.isValidSignature(signature, over: hash) else { throw .badSignature(blobber: blobberID) }
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    mutating func appendBigEndian(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
