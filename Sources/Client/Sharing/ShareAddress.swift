public import StorageProtocol

/// What a reader hands an owner so the owner can share encrypted files with it, including files
/// encrypted later (docs/PROTOCOL.md section 10.12): `CLIENT_ID:SHARE_KEY`, the client id (64 hex) and
/// the wallet's ristretto255 share key (64 hex). `blob wallet show` prints it.
public struct ShareAddress: Sendable, Hashable {
    public var clientID: ClientID
    public var shareKey: RistrettoPoint

    public init(clientID: ClientID, shareKey: RistrettoPoint) {
        self.clientID = clientID
        self.shareKey = shareKey
    }

    public init(_ wallet: SigningKey) {
        self.init(clientID: wallet.publicKey.clientID, shareKey: wallet.shareKey)
    }

    /// Parses `CLIENT_ID:SHARE_KEY`; nil for anything else (a share key must be a valid point).
    public init?(text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 64, let id = ClientID(hex: String(parts[0])),
            let key = RistrettoPoint(hex: String(parts[1]))
        else { return nil }
        self.init(clientID: id, shareKey: key)
    }

    public var text: String { "\(clientID.hex):\(shareKey.hex)" }
}
