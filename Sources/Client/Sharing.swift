import Foundation
public import Merkle
public import StorageProtocol

/// What the owner hands a reader (docs/PROTOCOL.md section 10 "Share tickets"): the signed ticket, and for
/// an encrypted file its key. Text form: `blobticket:` + base64url (no padding) of its JSON. The
/// blobbers only ever see the `ShareTicket` (header `x-blob-ticket`), never the key.
public struct TicketBundle: Codable, Sendable, Equatable {
    public var ticket: ShareTicket
    /// Hex file key and nonce prefix of an encrypted file; absent otherwise.
    public var fileKey: String?
    public var noncePrefix: String?

    public static let prefix = "blobticket:"

    enum CodingKeys: String, CodingKey {
        case ticket
        case fileKey = "file_key"
        case noncePrefix = "nonce_prefix"
    }

    public var text: String {
        let base64 = Data(ClientJSON.encode(self)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return Self.prefix + base64
    }

    public init(ticket: ShareTicket, key: StripeKey?) {
        self.ticket = ticket
        self.fileKey = key.map { Hex.encode($0.key) }
        self.noncePrefix = key.map { Hex.encode($0.noncePrefix) }
    }

    public init(text: String) throws(ClientError) {
        guard text.hasPrefix(Self.prefix) else { throw .ticket(reason: "a ticket starts with \(Self.prefix)") }
        var base64 = String(text.dropFirst(Self.prefix.count))
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
            let bundle = try? JSONDecoder().decode(TicketBundle.self, from: data)
        else { throw .ticket(reason: "the text is not a ticket (damaged when copied?)") }
        self = bundle
    }

    public var stripeKey: StripeKey? {
        guard let fileKey, let noncePrefix, let key = Hex.decode(fileKey), let prefix = Hex.decode(noncePrefix) else {
            return nil
        }
        return try? StripeKey(key: key, noncePrefix: prefix)
    }

    /// Checks what a reader can check before asking any blobber: addressed to `reader`, not expired.
    public func check(reader: ClientID, now: Int64) throws(ClientError) {
        guard ticket.recipientID == reader else {
            throw .ticket(reason: "it was issued to \(ticket.recipientID.short), this wallet is \(reader.short)")
        }
        guard now <= ticket.expiry else { throw .ticket(reason: "it expired at \(ticket.expiry) (Unix ms)") }
    }
}

extension AllocationSession {
    /// A ticket for `recipient` to read `path` (a file, or a directory ending in `/`) until `expiry`.
    public func share(_ path: String, to recipient: ClientID, expiry: Int64) async throws(ClientError) -> TicketBundle {
        guard isOwner else { throw .notOwner(allocation: id) }
        var key: StripeKey?
        if !path.hasSuffix("/") {
            let remote: RemotePath
            do { remote = try RemotePath(path) } catch { throw .invalidArgument(error.description) }
            let (entry, _, _, _) = try await Downloader(session: self).locate(remote)
            if !entry.encryption.isEmpty {
                key = try EncryptionHeader(bytes: entry.encryption).unwrap(owner: signer)
            }
        }
        let ticket = ShareTicket(
            allocationID: id, path: path, ownerID: signer.publicKey.clientID, recipientID: recipient, expiry: expiry
        ).signed(with: signer)
        return TicketBundle(ticket: ticket, key: key)
    }
}
