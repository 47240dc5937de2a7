import StorageProtocol

extension TicketBundle {
    /// A ticket this wallet was given, from its text: parsed, then checked against what a reader can
    /// check before asking any blobber (addressed to the wallet in `home`, not expired).
    public static func received(_ text: String, home: ClientHome, now: Int64 = Clock.nowMillis) throws(ClientError)
        -> TicketBundle
    {
        let parsed = try TicketBundle(text: text)
        if parsed.readerSeed != nil {
            // A public link reads with its own key, which the ticket must name.
            guard let key = parsed.readerKey else { throw .ticket(reason: "the link's reader key is damaged") }
            try parsed.check(reader: key.publicKey.clientID, now: now)
        } else {
            try parsed.check(reader: try home.loadWallet().publicKey.clientID, now: now)
        }
        return parsed
    }

    /// The remote file a reader reads when naming none: the ticket's own file. A directory ticket
    /// names no file.
    public func sharedFile() throws(ClientError) -> String {
        guard !ticket.path.hasSuffix("/") else {
            throw .invalidArgument("the ticket covers a directory: give REMOTE and LOCAL")
        }
        return ticket.path
    }

    /// The directory a reader lists when naming none: the ticket's own directory. A file ticket names
    /// no directory.
    public func sharedDirectory() throws(ClientError) -> String {
        guard ticket.path.hasSuffix("/") else {
            throw .invalidArgument("the ticket covers one file, not a directory: there is nothing to list")
        }
        return ticket.path
    }
}
