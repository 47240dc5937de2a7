import Foundation
import Merkle
public import StorageProtocol

/// What the owner hands a reader (docs/PROTOCOL.md section 10 "Share tickets"): the signed ticket, and for
/// an encrypted file its key. Text form: `blobticket:` + base64url (no padding) of its JSON. The
/// blobbers only ever see the `ShareTicket` (header `x-blob-ticket`), never the key.
public struct TicketBundle: Codable, Sendable, Equatable {
    public var ticket: ShareTicket
    /// Hex file key and nonce prefix of an encrypted file; absent otherwise.
    public var fileKey: String?
    public var noncePrefix: String?
    /// For a directory: the keys of the encrypted files under it when the ticket was made, by path.
    public var fileKeys: [String: FileKey]?
    /// A public link only: hex of the Ed25519 seed of the key the ticket names as recipient, made for
    /// the link; whoever holds the link reads with it.
    public var readerSeed: String?

    public struct FileKey: Codable, Sendable, Equatable {
        public var fileKey: String
        public var noncePrefix: String

        init(fileKey: String, noncePrefix: String) {
            self.fileKey = fileKey
            self.noncePrefix = noncePrefix
        }

        init(_ key: StripeKey) {
            self.init(fileKey: Hex.encode(key.key), noncePrefix: Hex.encode(key.noncePrefix))
        }

        enum CodingKeys: String, CodingKey {
            case fileKey = "file_key"
            case noncePrefix = "nonce_prefix"
        }

        var stripeKey: StripeKey? {
            guard let key = Hex.decode(fileKey), let prefix = Hex.decode(noncePrefix) else { return nil }
            return try? StripeKey(key: key, noncePrefix: prefix)
        }
    }

    public static let prefix = "blobticket:"
    /// Encrypted files whose keys one directory ticket may carry: the ticket's text must still fit in one
    /// command-line argument (Linux allows 128 KiB).
    public static let maxFileKeys = 500

    enum CodingKeys: String, CodingKey {
        case ticket
        case fileKey = "file_key"
        case noncePrefix = "nonce_prefix"
        case fileKeys = "file_keys"
        case readerSeed = "reader_seed"
    }

    public var text: String {
        let base64 = Data(ClientJSON.encode(self)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return Self.prefix + base64
    }

    public init(ticket: ShareTicket, key: StripeKey?, fileKeys: [String: StripeKey]? = nil) {
        self.ticket = ticket
        self.fileKey = key.map { Hex.encode($0.key) }
        self.noncePrefix = key.map { Hex.encode($0.noncePrefix) }
        self.fileKeys = fileKeys?.mapValues(FileKey.init)
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
        guard let fileKey, let noncePrefix else { return nil }
        return FileKey(fileKey: fileKey, noncePrefix: noncePrefix).stripeKey
    }

    /// The key the ticket carries for the file at `path`: its own for a file ticket, the one listed
    /// for it in a directory ticket.
    public func key(for path: String) -> StripeKey? {
        ticket.path.hasSuffix("/") ? fileKeys?[path]?.stripeKey : stripeKey
    }

    /// The key a public link reads with; nil for a ticket to a named reader (or a damaged seed).
    public var readerKey: SigningKey? {
        guard let readerSeed, let seed = Hex.decode(readerSeed) else { return nil }
        return try? SigningKey(seed: seed)
    }

    /// Checks what a reader can check before asking any blobber: addressed to `reader`, not expired.
    public func check(reader: ClientID, now: Int64) throws(ClientError) {
        guard ticket.recipientID == reader else {
            throw .ticket(reason: "it was issued to \(ticket.recipientID.short), this wallet is \(reader.short)")
        }
        guard now <= ticket.expiry else { throw .ticket(reason: "it expired at \(ticket.expiry) (Unix ms)") }
    }
}
