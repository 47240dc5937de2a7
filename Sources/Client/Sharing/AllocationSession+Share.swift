import Merkle
public import StorageProtocol

extension AllocationSession {
    /// A ticket for `recipient` to read `path` (a file, or a directory ending in `/`) until `expiry`.
    /// A directory ticket carries the keys of the encrypted files under it now that have a version-1
    /// header (all of them when `shareKey` is nil). With the reader's `shareKey`, the owner also
    /// registers a re-encryption key for the ticket with every blobber (section 10.12), so the reader
    /// opens every version-2 header under the path, also of files encrypted later.
    public func share(_ path: String, to recipient: ClientID, shareKey: RistrettoPoint? = nil, expiry: Int64)
        async throws(ClientError) -> TicketBundle
    {
        guard isOwner else { throw .notOwner(allocation: id) }
        var key: StripeKey?
        var fileKeys: [String: StripeKey]?
        if path.hasSuffix("/") {
            fileKeys = try await encryptedFileKeys(under: path, capsulesToo: shareKey == nil)
        } else {
            let remote = try RemotePath.parse(path)
            let (entry, _, _, _) = try await Downloader(session: self).locate(remote)
            if !entry.encryption.isEmpty {
                key = try EncryptionHeader(bytes: entry.encryption).unwrap(owner: signer)
            }
        }
        let ticket = ShareTicket(
            allocationID: id, path: path, ownerID: signer.publicKey.clientID, recipientID: recipient, expiry: expiry
        ).signed(with: signer)
        if let shareKey { try await registerReencryptionKey(for: ticket, reader: shareKey) }
        return TicketBundle(ticket: ticket, key: key, fileKeys: fileKeys)
    }

    /// A public link: a ticket for a fresh key pair whose seed the link carries (docs/PROTOCOL.md
    /// section 10.7), with a re-encryption key registered for that pair's share key.
    public func publicLink(_ path: String, expiry: Int64) async throws(ClientError) -> TicketBundle {
        let reader = SigningKey.generate()
        var bundle = try await share(path, to: reader.publicKey.clientID, shareKey: reader.shareKey, expiry: expiry)
        bundle.readerSeed = Hex.encode(reader.seed)
        return bundle
    }

    /// Registers a fresh re-encryption key from this wallet to `reader` for `ticket` with every blobber
    /// of the allocation. At least `k` blobbers must take it (any one that answers a read suffices, the
    /// capsule being the same on all); the others are left out quietly, as a read would leave them.
    public func registerReencryptionKey(for ticket: ShareTicket, reader: RistrettoPoint) async throws(ClientError) {
        guard isOwner else { throw .notOwner(allocation: id) }
        let request = ReencryptionKeyRequest(
            ticket: ticket, key: ProxyReencryption.reencryptionKey(owner: signer.shareScalar, reader: reader))
        let results = await onEveryBlobber { _, blobber throws(ClientError) in
            try await blobber.registerReencryptionKey(request)
        }
        guard results.successes.count >= dataShards else {
            throw .tooFewGoodBlobbers(
                path: ticket.path, good: results.successes.count, required: dataShards,
                failures: results.failures.map { "\(blobbers[$0.index].blobberID.hex.prefix(12)): \($0.error)" })
        }
    }

    /// The keys of the encrypted files under `directory`, from the first blobber that lists it. A
    /// listing is not proven, but a key only counts if it unwraps under this wallet's wrap key, which
    /// no blobber can forge; a file a blobber leaves out simply gets no key.
    func encryptedFileKeys(under directory: String, capsulesToo: Bool) async throws(ClientError)
        -> [String: StripeKey]
    {
        var failure: ClientError = .remoteNotFound(path: directory)
        for blobber in blobbers {
            let entries: [FileEntry]
            do throws(ClientError) {
                entries = try await blobber.allFiles(under: directory)
            } catch {
                failure = error
                continue
            }
            var keys: [String: StripeKey] = [:]
            for entry in entries where !entry.encryption.isEmpty {
                let header = EncryptionHeader(bytes: entry.encryption)
                if !capsulesToo, header.capsule != nil { continue }
                if let key = try? header.unwrap(owner: signer) {
                    keys[entry.path] = key
                }
            }
            guard keys.count <= TicketBundle.maxFileKeys else {
                throw .invalidArgument(
                    "\(directory) holds more than \(TicketBundle.maxFileKeys) encrypted files, more keys than one ticket carries: share its subdirectories"
                )
            }
            return keys
        }
        throw failure
    }
}
