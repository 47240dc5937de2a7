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
        let answers = await withTaskGroup(of: ListResponse?.self) { group in
            for blobber in session.blobbers {
                group.addTask { try? await blobber.list(directory) }
            }
            var out: [ListResponse] = []
            for await answer in group { if let answer { out.append(answer) } }
            return out
        }
        // A file counts when at least k blobbers list it with the same meta hash.
        var votes: [Hash: (entry: FileEntry, count: Int)] = [:]
        var directories: [String: Int] = [:]
        for answer in answers {
            for entry in answer.files { votes[entry.metaHash, default: (entry, 0)].count += 1 }
            for name in answer.directories { directories[name, default: 0] += 1 }
        }
        guard answers.count >= session.dataShards else {
            throw .tooFewGoodBlobbers(path: directory, good: answers.count, required: session.dataShards, failures: [])
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
        let consensus = try await stageAll { index throws(ClientError) in
            for path in paths where try await session.blobbers[index].file(path.string) == nil {
                throw .remoteNotFound(path: path.string)
            }
        }
        try await Committer(session: session).commit(consensus: consensus, now: Clock.nowMillis) {
            _ throws(ClientError) in
            paths.map { CommitChange.delete(path: $0) }
        }
    }

    /// Renames `from` to `to` (the blobbers keep the shards; only the entry moves).
    public func move(_ from: RemotePath, to: RemotePath) async throws(ClientError) {
        guard session.isOwner else { throw .notOwner(allocation: session.id) }
        try await session.home.withWriteLock(session.id, timeout: session.writeLockWait) { () async throws(ClientError) in
            try await moveHoldingLock(from, to: to)
        }
    }

    func moveHoldingLock(_ from: RemotePath, to: RemotePath) async throws(ClientError) {
        let now = Clock.nowMillis
        let entries = Locked<[Int: FileEntry]>([:])
        let consensus = try await stageAll { index throws(ClientError) in
            guard let answer = try await session.blobbers[index].file(from.string) else {
                throw .remoteNotFound(path: from.string)
            }
            var moved = answer.entry
            moved.path = to.string
            moved.updatedAt = max(now, moved.updatedAt)
            entries.withLock { $0[index] = moved }
        }
        try await Committer(session: session).commit(consensus: consensus, now: now) { index throws(ClientError) in
            guard let entry = entries.withLock({ $0[index] }) else { throw .remoteNotFound(path: from.string) }
            return [.rename(from: from, entry: entry)]
        }
    }

    /// Runs `prepare` on every blobber; the ones that succeed are "staged" for the consensus. When
    /// most blobbers say the path does not exist, that is the error.
    func stageAll(_ prepare: @escaping @Sendable (Int) async throws(ClientError) -> Void) async throws(ClientError)
        -> ConsensusBox
    {
        let consensus = ConsensusBox(WriteConsensus(blobbers: session.blobbers.count, dataShards: session.dataShards))
        let notFound = Locked<[String]>([])
        await withTaskGroup(of: Void.self) { group in
            for index in session.blobbers.indices {
                group.addTask {
                    do throws(ClientError) {
                        try await prepare(index)
                        consensus.withLock { $0.staged(index) }
                    } catch {
                        if case .remoteNotFound(let path) = error { notFound.withLock { $0.append(path) } }
                        consensus.withLock { $0.failed(index, error.description) }
                    }
                }
            }
        }
        let missing = notFound.withLock { $0 }
        if missing.count > session.blobbers.count - session.dataShards - 1, let path = missing.first {
            throw .remoteNotFound(path: path)
        }
        return consensus
    }
}
