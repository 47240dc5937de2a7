public import Merkle
public import StorageProtocol

/// The front door of the library: one allocation opened for work, with every operation a front end
/// needs (docs/CLIENT.md). `blob`, and every other front end, calls only this, the types it returns and
/// the wallet's home (`ClientHome`); the pipelines behind it are `Uploader`, `Downloader`,
/// `FileOperations`, `Repairer` and `AllocationStatus`.
///
/// ```swift
/// let home = ClientHome(explicit: nil)
/// let client = try await BlobClient.open(home: home)            // the default allocation
/// let path = try RemotePath.parse("/notes/a.txt")
/// try await client.write(path, from: ByteSource(Array("hello".utf8)))
/// for try await chunk in client.read(path) { print(chunk.readableBytes) }
/// ```
///
/// Writes (`write`, `upload`, `delete`, `rename`, `commit`, `repair`) need the owner's wallet and take
/// the allocation's write lock in `home`; reads work for the owner and for a reader holding a ticket.
public struct BlobClient: Sendable {
    /// The allocation's terms, its blobbers in shard order, the coder and the signer.
    public let session: AllocationSession
    /// The ticket this client reads with, when it is not the owner's.
    public let ticket: TicketBundle?

    /// A client for an allocation already opened.
    public init(session: AllocationSession, ticket: TicketBundle? = nil) {
        self.session = session
        self.ticket = ticket
    }

    /// Opens allocation `allocation` (for a ticket: the ticket's) with the wallet in `home`; its terms
    /// and blobbers come from `ledger`, or from the copy kept at the last open when the ledger cannot
    /// be reached. `lockWait` is how long a write waits for another writer of this allocation sharing
    /// the wallet folder.
    public static func open(
        allocation: AllocationID, home: ClientHome, ledger: LedgerClient, ticket: TicketBundle? = nil,
        lockWait: Duration = .seconds(120)
    ) async throws(ClientError) -> BlobClient {
        let id = ticket?.ticket.allocationID ?? allocation
        // A public link signs with the key made for it; everyone else with the wallet.
        let signer: SigningKey
        if let linkKey = ticket?.readerKey { signer = linkKey } else { signer = try home.loadWallet() }
        var session = try await AllocationSession.open(
            id, ledger: ledger, signer: signer, home: home, ticket: ticket?.ticket)
        session.writeLockWait = lockWait
        return BlobClient(session: session, ticket: ticket)
    }

    /// Opens the default allocation of the settings in `home` (or `allocation`) through the ledger the
    /// settings name.
    public static func open(
        home: ClientHome, allocation: AllocationID? = nil, lockWait: Duration = .seconds(120)
    ) async throws(ClientError) -> BlobClient {
        let settings = try home.loadSettings()
        guard let id = allocation ?? settings.defaultAllocation else { throw .noAllocation }
        guard let url = settings.ledgerURL else { throw .noLedger }
        return try await open(allocation: id, home: home, ledger: LedgerClient(baseURL: url), lockWait: lockWait)
    }

    public var id: AllocationID { session.id }

    // MARK: Reading

    /// The entries directly under `directory` (or, `recursive`, every file and directory below it),
    /// as at least `k` blobbers agree on them. Directory names are relative to `directory` and end in `/`.
    public func list(_ directory: String, recursive: Bool = false) async throws(ClientError) -> FileOperations.Listing {
        let root = directory.hasSuffix("/") ? directory : directory + "/"
        let operations = FileOperations(session: session)
        var listing = try await operations.list(root)
        guard recursive else { return listing }
        var pending = listing.directories
        var directories: [String] = []
        while !pending.isEmpty {
            let relative = pending.removeFirst()
            directories.append(relative)
            let below = try await operations.list(listing.path + relative)
            listing.files += below.files
            pending += below.directories.map { relative + $0 }
        }
        listing.files.sort { $0.path < $1.path }
        listing.directories = directories.sorted()
        return listing
    }

    /// The entry of file `path`, verified: its trie proof leads to the root of a marker the owner signed.
    public func stat(_ path: RemotePath) async throws(ClientError) -> FileEntry {
        try await downloader.locate(path).entry
    }

    /// The bytes of `path` (or bytes `range` of it, inclusive, from 0), each chunk verified before it
    /// is handed out. The read starts when iteration does.
    public func read(_ path: RemotePath, range: ClosedRange<UInt64>? = nil) -> ReadStream {
        ReadStream(downloader: downloader, path: path, range: range)
    }

    /// Downloads `path` (or bytes `range` of it) into `localPath`, renamed into place only once every
    /// byte verified; a character device or FIFO there (`/dev/stdout`) is written directly, any other
    /// symbolic link refused. `progress` hears the bytes written and the bytes wanted in all.
    public func download(
        _ path: RemotePath, to localPath: String, range: ClosedRange<UInt64>? = nil,
        progress: (@Sendable (_ written: UInt64, _ total: UInt64) -> Void)? = nil
    ) async throws(ClientError) -> Downloader.Report {
        try await downloader.download(path, to: localPath, range: range, progress: progress)
    }

    /// Downloads `path` (or bytes `range` of it) to the open descriptor `fd` (standard output: 1), each
    /// block verified before it is written; `fd` stays open.
    public func download(
        _ path: RemotePath, toDescriptor fd: Int32, range: ClosedRange<UInt64>? = nil,
        progress: (@Sendable (_ written: UInt64, _ total: UInt64) -> Void)? = nil
    ) async throws(ClientError) -> Downloader.Report {
        try await downloader.download(path, toDescriptor: fd, range: range, progress: progress)
    }

    var downloader: Downloader { Downloader(session: session, ticket: ticket) }

    // MARK: Writing (owner)

    /// Writes `bytes` to `path` (replacing a file there) in one commit per blobber, streamed: at most
    /// one batch of stripes is held at a time.
    @discardableResult
    public func write(_ path: RemotePath, from bytes: ByteSource, encrypt: Bool = false) async throws(ClientError)
        -> Uploader.Report
    {
        try await commit(Batch(uploads: [Uploader.Item(remotePath: path, bytes: bytes)]), encrypt: encrypt)
    }

    /// Uploads `items` (local files or byte sources; `Uploader.Item.walk` lists a directory's) in one
    /// commit per blobber. `progress` hears the bytes read as they go.
    public func upload(
        _ items: [Uploader.Item], encrypt: Bool = false, progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws(ClientError) -> Uploader.Report {
        try await Uploader(session: session, encrypt: encrypt).upload(items, progress: progress)
    }

    /// Deletes `paths` in one commit per blobber.
    public func delete(_ paths: [RemotePath]) async throws(ClientError) {
        try await FileOperations(session: session).remove(paths)
    }

    /// Renames `from` to `to` (the blobbers keep the shards; only the entry moves).
    public func rename(_ from: RemotePath, to: RemotePath) async throws(ClientError) {
        try await FileOperations(session: session).move(from, to: to)
    }

    /// Commits `batch` (uploads, deletes and renames together) as one commit per blobber: all of it,
    /// or none of it. Blobbers that miss the commit are repaired right after it when reachable.
    @discardableResult
    public func commit(_ batch: Batch, encrypt: Bool = false, progress: (@Sendable (UInt64) -> Void)? = nil)
        async throws(ClientError) -> Uploader.Report
    {
        guard !batch.isEmpty else { throw .invalidArgument("the batch holds no changes") }
        try session.checkWritable()
        let uploader = Uploader(session: session, encrypt: encrypt)
        let edits = FileOperations.Edits(deletes: batch.deletes, renames: batch.renames)
        return try await session.home.withWriteLock(session.id, timeout: session.writeLockWait) {
            () async throws(ClientError) -> Uploader.Report in
            try await uploader.uploadHoldingLock(batch.uploads, edits: edits, progress: progress)
        }
    }

    /// Builds a batch with `build` and commits it (see `commit(_:encrypt:progress:)`).
    @discardableResult
    public func commit(encrypt: Bool = false, _ build: (inout Batch) throws(ClientError) -> Void)
        async throws(ClientError) -> Uploader.Report
    {
        var batch = Batch()
        try build(&batch)
        return try await commit(batch, encrypt: encrypt)
    }

    // MARK: The allocation

    /// Every blobber's head, the states a split left and the one it resolves to.
    public func status() async -> AllocationStatus {
        await AllocationStatus.gather(session)
    }

    /// Brings blobbers that are behind, ahead or wrong to the state the allocation resolves to. With
    /// `verify`, also reads every block of every shard with its proof and rebuilds the damaged shards.
    public func repair(verify: Bool = false) async throws(ClientError) -> Repairer.Report {
        try await Repairer(session: session).repair(verify: verify)
    }

    /// Which blobbers hold `path` at the agreed version; with `verify`, every block of each one's shard
    /// read and checked against its proof.
    public func check(_ path: String, verify: Bool = false) async throws(ClientError) -> FileCheck {
        try await FileCheck.run(session, path: try RemotePath.parse(path), verify: verify)
    }

    /// A ticket for `recipient` to read `path` (a file, or a directory ending in `/`) until `expiry`
    /// (Unix milliseconds).
    /// With the reader's `shareKey`, the ticket also opens files encrypted after it was made (the
    /// blobbers transform their capsules for it: docs/PROTOCOL.md section 10.12).
    public func share(_ path: String, to recipient: ClientID, shareKey: RistrettoPoint? = nil, expiry: Int64)
        async throws(ClientError) -> TicketBundle
    {
        try await session.share(path, to: recipient, shareKey: shareKey, expiry: expiry)
    }

    /// A public link to `path` until `expiry`: a ticket for a key pair made for the link, which the
    /// link carries, with a re-encryption key registered for it. Whoever holds the text can read.
    public func publicLink(_ path: String, expiry: Int64) async throws(ClientError) -> TicketBundle {
        try await session.publicLink(path, expiry: expiry)
    }
}
