public import Merkle

/// What an identifier names; only used to keep a `BlobberID` from being passed as a `ClientID`.
public protocol IdentifierKind: Sendable {}

/// A 32-byte identifier, hex on the wire. Clients and blobbers are named by SHA-256 of their
/// Ed25519 public key; an allocation by the hash of the transaction that created it.
public struct Identifier<Kind: IdentifierKind>: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let hash: Hash

    public init(_ hash: Hash) { self.hash = hash }

    public init?(hex: some StringProtocol) {
        guard let hash = Hash(hex: hex) else { return nil }
        self.hash = hash
    }

    public var hex: String { hash.hex }
    public var description: String { hash.hex }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.hash < rhs.hash }

    public init(from decoder: any Decoder) throws { hash = try Hash(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try hash.encode(to: encoder) }
}

public enum ClientKind: IdentifierKind {}
public enum BlobberKind: IdentifierKind {}
public enum AllocationKind: IdentifierKind {}

/// A wallet: the owner of allocations and signer of write markers.
public typealias ClientID = Identifier<ClientKind>
/// A storage node.
public typealias BlobberID = Identifier<BlobberKind>
/// An allocation.
public typealias AllocationID = Identifier<AllocationKind>

extension PublicKey {
    public var clientID: ClientID { ClientID(id) }
    public var blobberID: BlobberID { BlobberID(id) }
}
