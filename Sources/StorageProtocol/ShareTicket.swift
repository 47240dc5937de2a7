public import Merkle

/// The owner's permission for one client to read one path (a file, or everything below a directory
/// when `path` ends in `/`) of an allocation until `expiry`. Passed as a header `x-blob-ticket`
/// (hex of the ticket JSON's UTF-8 bytes).
public struct ShareTicket: Codable, Sendable, Hashable {
    public var allocationID: AllocationID
    public var path: String
    public var ownerID: ClientID
    public var recipientID: ClientID
    /// Unix milliseconds.
    public var expiry: Int64
    public var signature: Signature?

    public static let hashTag: UInt8 = 0x51
    public static let header = "x-blob-ticket"

    enum CodingKeys: String, CodingKey {
        case allocationID = "allocation_id"
        case path
        case ownerID = "owner_id"
        case recipientID = "recipient_id"
        case expiry
        case signature
    }

    public init(
        allocationID: AllocationID, path: String, ownerID: ClientID, recipientID: ClientID, expiry: Int64,
        signature: Signature? = nil
    ) {
        self.allocationID = allocationID
        self.path = path
        self.ownerID = ownerID
        self.recipientID = recipientID
        self.expiry = expiry
        self.signature = signature
    }

    /// `H(0x51 ‖ allocation_id ‖ owner_id ‖ recipient_id ‖ i64be(expiry) ‖ u32be(len path) ‖ path)`
    public var hash: Hash {
        var hasher = SHA256()
        hasher.update(byte: ShareTicket.hashTag)
        hasher.update(hash: allocationID.hash)
        hasher.update(hash: ownerID.hash)
        hasher.update(hash: recipientID.hash)
        hasher.update(int64: expiry)
        let bytes = Array(path.utf8)
        withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { hasher.update($0) }
        hasher.update(bytes)
        return hasher.finalize()
    }

    public func signed(with owner: SigningKey) -> ShareTicket {
        precondition(owner.publicKey.clientID == ownerID, "a ticket is signed by its owner")
        var copy = self
        copy.signature = owner.signature(over: hash)
        return copy
    }

    /// Whether `path` is covered by this ticket, compared as UTF-8 bytes (what a blobber stores and
    /// reads): `String`'s `==` and `hasPrefix` treat canonically equivalent paths as equal, so a
    /// ticket for `/é/` (U+00E9) would have covered `/e\u{301}/`, another directory.
    public func covers(_ requested: String) -> Bool {
        let granted = Array(path.utf8)
        let wanted = Array(requested.utf8)
        if granted.last == UInt8(ascii: "/") { return wanted.starts(with: granted) }
        return wanted == granted
    }

    /// Checks that the ticket lets `reader` read `requested` in `allocation` owned by `owner` at `now`.
    public func verify(
        owner: PublicKey, allocation: AllocationID, reader: ClientID, requested: String, now: Int64
    ) throws(RequestAuthError) {
        guard ownerID == owner.clientID else { throw .badTicket(reason: "not issued by the allocation owner") }
        guard allocationID == allocation else { throw .badTicket(reason: "issued for another allocation") }
        guard recipientID == reader else { throw .badTicket(reason: "issued to another client") }
        guard now <= expiry else { throw .badTicket(reason: "expired at \(expiry)") }
        guard covers(requested) else { throw .badTicket(reason: "does not cover \(requested)") }
        guard let signature, owner.isValidSignature(signature, over: hash) else {
            throw .badTicket(reason: "signature does not verify")
        }
    }
}
