import Merkle
public import StorageProtocol

extension AllocationSession {
    /// A ticket for `recipient` to read `path` (a file, or a directory ending in `/`) until `expiry`.
    /// A directory ticket carries the keys of the encrypted files under it now (files encrypted later
    /// need a new ticket).
    public func share(_ path: String, to recipient: ClientID, expiry: Int64) async throws(ClientError) -> TicketBundle {
        guard isOwner else { throw .notOwner(allocation: id) }
        var key: StripeKey?
        var fileKeys: [String: StripeKey]?
        if path.hasSuffix("/") {
            fileKeys = try await encryptedFileKeys(under: path)
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
        return TicketBundle(ticket: ticket, key: key, fileKeys: fileKeys)
    }

    /// The keys of the encrypted files under `directory`, from the first blobber that lists it. A
    /// listing is not proven, but a key only counts if it unwraps under this wallet's wrap key, which
    /// no blobber can forge; a file a blobber leaves out simply gets no key.
    func encryptedFileKeys(under directory: String) async throws(ClientError) -> [String: StripeKey] {
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
                if let key = try? EncryptionHeader(bytes: entry.encryption).unwrap(owner: signer) {
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
