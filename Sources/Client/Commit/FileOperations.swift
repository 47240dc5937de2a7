public import Merkle
public import StorageProtocol

/// Listing, deleting and renaming remote files. Deletes and renames are commits under data+1 like
/// uploads.
public struct FileOperations: Sendable {
    public let session: AllocationSession

    public init(session: AllocationSession) {
        self.session = session
    }

    public struct Listing: Sendable, Codable {
        public var path: String
        public var files: [FileEntry]
        public var directories: [String]
    }

    /// The entries directly under `directory`, as most blobbers (at least `k`) agree on them. The name is
    /// normalised to NFC as stored paths are (docs/PROTOCOL.md section 8, "Paths").
    public func list(_ name: String) async throws(ClientError) -> Listing {
        let directory = RemotePath.normalized(name)
        let results = await session.onEveryBlobber { _, blobber throws(ClientError) in
            try await blobber.list(directory)
        }
        let answers = results.successes.map(\.value)
        // A file counts when at least k blobbers list it with the same meta hash.
        var votes: [Hash: (entry: FileEntry, count: Int)] = [:]
        var directories: [String: Int] = [:]
        for answer in answers {
            for entry in answer.files { votes[entry.metaHash, default: (entry, 0)].count += 1 }
            for name in answer.directories { directories[name, default: 0] += 1 }
        }
        guard answers.count >= session.dataShards else {
            throw .tooFewGoodBlobbers(
                path: directory, good: answers.count, required: session.dataShards,
                failures: results.failures.map { "\(session.blobbers[$0.index].blobberID.hex.prefix(12)): \($0.error)" })
        }
        let files = votes.values.filter { $0.count >= session.dataShards }.map(\.entry).sorted { $0.path < $1.path }
        let dirs = directories.filter { $0.value >= session.dataShards }.map(\.key).sorted()
        return Listing(path: directory, files: files, directories: dirs)
    }

    /// Deletes `paths` in one commit per blobber.
    public func remove(_ paths: [RemotePath]) async throws(ClientError) {
        guard session.isOwner else { throw .notOwner(allocation: session.id) }
        try await session.home.withWriteLock(session.id, timeout: session.writeLockWait) { () async throws(ClientError) in
            try await removeHoldingLock(paths)
        }
    }

    func removeHoldingLock(_ paths: [RemotePath]) async throws(ClientError) {
        try await commitHoldingLock(Edits(deletes: paths), now: Clock.nowMillis)
    }

    /// Renames `from` to `to` (the blobbers keep the shards; only the entry moves).
    public func move(_ from: RemotePath, to: RemotePath) async throws(ClientError) {
        guard session.isOwner else { throw .notOwner(allocation: session.id) }
        try await session.home.withWriteLock(session.id, timeout: session.writeLockWait) { () async throws(ClientError) in
            try await moveHoldingLock(from, to: to)
        }
    }

    func moveHoldingLock(_ from: RemotePath, to: RemotePath) async throws(ClientError) {
        try await commitHoldingLock(Edits(renames: [(from, to)]), now: Clock.nowMillis)
    }

    /// Deletes and renames, the changes of a write that moves no bytes.
    struct Edits: Sendable {
        var deletes: [RemotePath] = []
        var renames: [(from: RemotePath, to: RemotePath)] = []

        var isEmpty: Bool { deletes.isEmpty && renames.isEmpty }
        /// Every path the edits touch.
        var paths: [String] { deletes.map(\.string) + renames.flatMap { [$0.from.string, $0.to.string] } }
    }

    /// Stages `edits` on every blobber and commits them, one commit per blobber.
    func commitHoldingLock(_ edits: Edits, now: Int64) async throws(ClientError) {
        let consensus = ConsensusBox(WriteConsensus(blobbers: session.blobbers.count, dataShards: session.dataShards))
        let changes = try await stage(edits, now: now, into: consensus)
        try await Committer(session: session).commit(consensus: consensus, now: now) { index throws(ClientError) in
            changes[index] ?? []
        }
    }

    /// Checks on every blobber that the files `edits` touch are there and records each blobber in
    /// `consensus` (staged, or failed with why); returns each staged blobber's changes. When most
    /// blobbers say a path does not exist, that is the error.
    func stage(_ edits: Edits, now: Int64, into consensus: ConsensusBox) async throws(ClientError)
        -> [Int: [CommitChange]]
    {
        let prepared = await session.onEveryBlobber { index, blobber throws(ClientError) -> [CommitChange] in
            for path in edits.deletes where try await blobber.file(path.string) == nil {
                throw .remoteNotFound(path: path.string)
            }
            var changes = edits.deletes.map { CommitChange.delete(path: $0) }
            for (from, to) in edits.renames {
                guard let answer = try await blobber.file(from.string) else {
                    throw .remoteNotFound(path: from.string)
                }
                var moved = answer.entry
                moved.path = to.string
                moved.updatedAt = max(now, moved.updatedAt)
                changes.append(.rename(from: from, entry: moved))
            }
            return changes
        }
        var notFound: [String] = []
        for index in session.blobbers.indices {
            switch prepared[index] {
            case .success?: consensus.withLock { $0.staged(index) }
            case .failure(let error)?:
                if case .remoteNotFound(let path) = error { notFound.append(path) }
                consensus.withLock { $0.failed(index, error.description) }
            case nil: break
            }
        }
        if notFound.count > session.blobbers.count - session.dataShards - 1, let path = notFound.first {
            throw .remoteNotFound(path: path)
        }
        return Dictionary(uniqueKeysWithValues: prepared.successes.map { ($0.index, $0.value) })
    }
}
