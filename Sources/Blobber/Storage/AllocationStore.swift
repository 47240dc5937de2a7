import Foundation
import NIOCore
public import Merkle
public import StorageProtocol
import Synchronization

/// One allocation on this blobber: its two tries in memory (rebuilt from SQLite at start), its chain
/// head, and its one step of undo. An actor, so commits and rollbacks of one allocation are serial;
/// reads of the current state go through it too, and see either the state before a commit or after.
/// Its disk and SQLite work runs off the cooperative pool; `gate` keeps each call whole across those
/// waits, as if the actor were held.
public actor AllocationStore {
    /// The allocation's terms as this blobber last learned them from the ledger: the owner can grow the
    /// size and extend (or, by cancelling, end) the expiry at any time (`BlobberNode.refreshTerms`).
    public nonisolated var info: AllocationInfo { terms.withLock { $0 } }
    private let terms: Mutex<AllocationInfo>
    let database: BlobberDatabase
    let shards: ShardStore
    let stager: UploadStager

    var trie: AllocationTrie
    var metaTrie: AllocationTrie
    /// Current entries by key `H(path)`.
    var entries: [Hash: FileEntry]
    public private(set) var head: BlobberHead
    public private(set) var marker: WriteMarker?
    var undoSequence: UInt64
    var undoSize: Int64
    /// Held by every call that reads or changes the tries, entries, head or undo step.
    let gate = SerialGate()

    init(info: AllocationInfo, persisted: PersistedHead, database: BlobberDatabase, stager: UploadStager) throws {
        let current = try database.entries(info.id)
        try self.init(info: info, persisted: persisted, current: current, database: database, stager: stager)
    }

    /// Opens the store, reading its entries from SQLite off the cooperative pool.
    static func open(
        info: AllocationInfo, persisted: PersistedHead, database: BlobberDatabase, stager: UploadStager
    ) async throws -> AllocationStore {
        let current = try await database.entries(info.id)
        return try AllocationStore(
            info: info, persisted: persisted, current: current, database: database, stager: stager)
    }

    private init(
        info: AllocationInfo, persisted: PersistedHead, current: [FileEntry], database: BlobberDatabase,
        stager: UploadStager
    ) throws {
        terms = Mutex(info)
        self.database = database
        self.stager = stager
        self.shards = stager.store
        trie = AllocationTrie(kind: .allocation, entries: current)
        metaTrie = AllocationTrie(kind: .fileMeta, entries: current)
        entries = Dictionary(uniqueKeysWithValues: current.map { ($0.key, $0) })
        head = persisted.head
        marker = persisted.marker
        undoSequence = persisted.undoSequence
        undoSize = persisted.undoSize
        guard trie.root == head.allocationRoot, metaTrie.root == head.fileMetaRoot else {
            throw StorageError.corrupt(
                path: "allocation \(info.id)",
                reason: "entries give root \(trie.root), the head says \(head.allocationRoot)")
        }
    }

    /// Takes the ledger's current size, shard size and expiry; the identity fields never change.
    nonisolated func updateTerms(size: UInt64, share: UInt64, expiry: Int64) {
        terms.withLock { terms in
            terms.size = size
            terms.share = share
            terms.expiry = expiry
        }
    }

    /// Bytes stored: every entry's blocks × 65 536.
    public var storedBytes: UInt64 { trie.totalBlocks * UInt64(ShardTree.blockSize) }
    public var fileCount: Int { entries.count }
    public var canUndo: Bool { undoSequence > 0 }

    /// `storedBytes` outside any commit or rollback.
    func settledStoredBytes() async -> UInt64 {
        await gate.enter()
        defer { gate.leave() }
        return storedBytes
    }

    // MARK: changes with undo

    private struct Change {
        var key: Hash
        var old: FileEntry?
    }

    private var log: [Change] = []

    private func set(_ entry: FileEntry) {
        log.append(Change(key: entry.key, old: entries[entry.key]))
        entries[entry.key] = entry
        trie.set(entry)
        metaTrie.set(entry)
    }

    private func remove(key: Hash) {
        log.append(Change(key: key, old: entries[key]))
        entries[key] = nil
        _ = trie.remove(key: key)
        _ = metaTrie.remove(key: key)
    }

    private func revert() {
        for change in log.reversed() {
            if let old = change.old {
                entries[change.key] = old
                trie.set(old)
                metaTrie.set(old)
            } else {
                entries[change.key] = nil
                _ = trie.remove(key: change.key)
                _ = metaTrie.remove(key: change.key)
            }
        }
        log.removeAll()
    }

    /// What the logged changes did, per key: entry versions to add and paths whose version ends.
    private func netChanges() -> (added: [FileEntry], removedPaths: [String]) {
        var first = [Hash: FileEntry?]()
        var order = [Hash]()
        for change in log where first[change.key] == nil {
            first[change.key] = .some(change.old)
            order.append(change.key)
        }
        var added = [FileEntry]()
        var removed = [String]()
        for key in order {
            let old = first[key]!
            let new = entries[key]
            guard old != new else { continue }
            if let old { removed.append(old.path) }
            if let new { added.append(new) }
        }
        return (added, removed)
    }

    // MARK: commit

    /// Applies `request` if its marker is the one the owner must sign for exactly these changes; on any
    /// refusal nothing changes. Durable (shards renamed and synced, SQLite committed) before it returns.
    public func commit(_ request: CommitRequest, now: Int64) async throws -> CommitResponse {
        await gate.enter()
        defer { gate.leave() }
        let puts = try Self.puts(of: request, info: info)
        let before = storedBytes
        log.removeAll()
        // The changes are made in memory first and the staged uploads checked after, with the disk work, in one
        // job on the thread pool. A refusal found in memory is thrown only once the uploads are checked, so a
        // request with several faults gets the answer it got when the uploads were checked first.
        var refusal: (any Error)?
        var delta: Int64 = 0
        do {
            for change in request.changes {
                switch change {
                case .put(_, let entry):
                    set(entry)
                case .delete(let path):
                    let key = FileEntry.key(forPath: path.string)
                    guard entries[key] != nil else { throw BlobberError.notFound(path: path.string) }
                    remove(key: key)
                case .rename(let from, let entry):
                    let key = FileEntry.key(forPath: from.string)
                    guard let old = entries[key] else { throw BlobberError.notFound(path: from.string) }
                    guard old.size == entry.size, old.contentHash == entry.contentHash,
                        old.shardRoot == entry.shardRoot, old.blockCount == entry.blockCount,
                        old.encryption == entry.encryption
                    else { throw BlobberError.renameMismatch(path: entry.path) }
                    remove(key: key)
                    set(entry)
                }
            }
            delta = Int64(storedBytes) - Int64(before)
            try check(request.marker, delta: delta)
        } catch {
            refusal = error
        }
        do {
            let (added, removed) = refusal == nil ? netChanges() : ([], [])
            // Uploads checked, shards renamed and synced, then the SQLite commit: never cut between.
            let (id, shards, database, undo) = (info.id, self.shards, self.database, delta)
            let (marker, fileMetaRoot, refused) = (request.marker, metaTrie.root, refusal)
            try await BlockingIO.run {
                let uploads = try Self.stagedUploads(puts, allocation: id, shards: shards)
                if let refused { throw refused }
                try shards.promote(id, uploads: uploads)
                try database.apply(
                    id, marker: marker, fileMetaRoot: fileMetaRoot, added: added, removedPaths: removed,
                    undoSequence: marker.sequence, undoSize: undo, rollingBack: nil, now: now)
            }
            undoSequence = request.marker.sequence
            undoSize = delta
        } catch {
            revert()
            throw error
        }
        log.removeAll()
        accept(request.marker)
        return CommitResponse(
            sequence: head.sequence, allocationRoot: head.allocationRoot, fileMetaRoot: head.fileMetaRoot)
    }

    /// Checks a commit's paths, upload ids and entry shapes, change by change, without touching the disk:
    /// the puts whose staged uploads must then be checked.
    private static func puts(of request: CommitRequest, info: AllocationInfo) throws
        -> [(upload: String, entry: FileEntry)]
    {
        guard !request.changes.isEmpty else { throw BlobberError.noChanges }
        var seen = Set<String>()
        var puts = [(upload: String, entry: FileEntry)]()
        for change in request.changes {
            for path in change.paths {
                _ = try RemotePath(path)
                guard seen.insert(path).inserted else { throw BlobberError.duplicatePath(path) }
            }
            if case .put(let upload, let entry) = change {
                guard UploadStatus.isValidID(upload) else { throw BlobberError.unknownUpload(upload) }
                if let problem = entry.shapeProblem(dataShards: info.dataShards) {
                    throw BlobberError.uploadMismatch(path: entry.path, reason: problem)
                }
                puts.append((upload, entry))
            }
        }
        return puts
    }

    /// Checks that every put's staged upload is complete and has its entry's shard root and block count:
    /// the uploads to promote.
    private static func stagedUploads(
        _ puts: [(upload: String, entry: FileEntry)], allocation: AllocationID, shards: ShardStore
    ) throws -> [(upload: String, root: Hash)] {
        try puts.map { upload, entry in
            guard let staged = try shards.stagedNow(allocation, upload) else {
                throw BlobberError.unknownUpload(upload)
            }
            guard staged.complete else {
                throw BlobberError.incompleteUpload(upload, received: staged.received, shardSize: staged.shardSize)
            }
            let status = staged.status(id: upload)
            guard status.shardRoot == entry.shardRoot else {
                throw BlobberError.uploadMismatch(
                    path: entry.path, reason: "shard_root \(entry.shardRoot) but the upload's is \(status.shardRoot!)")
            }
            guard status.blockCount == entry.blockCount else {
                throw BlobberError.uploadMismatch(
                    path: entry.path,
                    reason: "block_count \(entry.blockCount) but the upload has \(status.blockCount!)")
            }
            return (upload, entry.shardRoot)
        }
    }

    /// Restores the state before the latest commit under `marker`, which must sign exactly that state.
    public func rollback(_ marker: WriteMarker, now: Int64) async throws -> CommitResponse {
        await gate.enter()
        defer { gate.leave() }
        guard undoSequence > 0 else { throw BlobberError.nothingToUndo }
        let (added, removed) = try await database.versionChanges(info.id, sequence: undoSequence)
        let before = storedBytes
        log.removeAll()
        do {
            for entry in added { remove(key: entry.key) }
            for entry in removed { set(entry) }
            let delta = Int64(storedBytes) - Int64(before)
            // The versions must undo exactly the size the commit added; anything else is a damaged database.
            guard delta == -undoSize else {
                throw StorageError.corrupt(
                    path: "allocation \(info.id)",
                    reason: "undoing commit \(undoSequence) changes the size by \(delta), not by \(-undoSize)")
            }
            try check(marker, delta: delta)
            // The undone commit's versions end now; the versions it ended begin again.
            let (id, database, fileMetaRoot, undone) = (info.id, self.database, metaTrie.root, undoSequence)
            try await BlockingIO.run {
                try database.apply(
                    id, marker: marker, fileMetaRoot: fileMetaRoot, added: removed,
                    removedPaths: [], undoSequence: 0, undoSize: 0, rollingBack: undone, now: now)
            }
            undoSequence = 0
            undoSize = 0
        } catch {
            revert()
            throw error
        }
        log.removeAll()
        accept(marker)
        return CommitResponse(
            sequence: head.sequence, allocationRoot: head.allocationRoot, fileMetaRoot: head.fileMetaRoot)
    }

    private func check(_ marker: WriteMarker, delta: Int64) throws(MarkerError) {
        guard marker.allocationID == info.id else {
            throw .wrongAllocation(expected: info.id, got: marker.allocationID)
        }
        guard marker.blobberID == info.blobberID else {
            throw .wrongBlobber(expected: info.blobberID, got: marker.blobberID)
        }
        try marker.verifySignature(owner: info.ownerKey)
        try marker.verifyLink(from: head.chainHead, capacity: info.share)
        guard marker.timestamp >= info.createdAt, marker.timestamp <= info.expiry else {
            throw .timestampOutsideAllocation(timestamp: marker.timestamp, start: info.createdAt, expiry: info.expiry)
        }
        guard marker.allocationRoot == trie.root else {
            throw .wrongRoot(expected: trie.root, got: marker.allocationRoot)
        }
        guard marker.fileMetaRoot == metaTrie.root else {
            throw .wrongFileMetaRoot(expected: metaTrie.root, got: marker.fileMetaRoot)
        }
        guard marker.size == delta else { throw .wrongSize(expected: delta, got: marker.size) }
    }

    private func accept(_ marker: WriteMarker) {
        self.marker = marker
        head = BlobberHead(
            sequence: marker.sequence, allocationRoot: marker.allocationRoot, fileMetaRoot: marker.fileMetaRoot,
            chainHash: marker.chainHash, chainSize: marker.chainSize, timestamp: marker.timestamp)
    }

    // MARK: collection

    /// Drops entry versions that ended at or before `sequence` (unless the undo step needs them) and the
    /// shard files no remaining version refers to. On the actor, so it never races a commit that has
    /// renamed its shards but not yet committed SQLite (it holds the gate). Returns the bytes freed.
    func collect(through sequence: UInt64) async throws -> UInt64 {
        await gate.enter()
        defer { gate.leave() }
        let (id, database, shards) = (info.id, self.database, self.shards)
        return try await BlockingIO.run {
            if sequence > 0 { try database.pruneVersions(id, through: sequence) }
            return shards.collect(id, keeping: try database.liveShardRoots(id))
        }
    }

    // MARK: reads

    public func proofs(for paths: [String]) async throws -> ProofsResponse {
        await gate.enter()
        defer { gate.leave() }
        guard paths.count <= ProofsRequest.maxPaths else {
            throw BlobberError.malformed("at most \(ProofsRequest.maxPaths) paths per request")
        }
        var proofs = [String: TrieProof]()
        var metaProofs = [String: TrieProof]()
        for path in paths {
            _ = try RemotePath(path)
            proofs[path] = trie.proof(forPath: path)
            metaProofs[path] = metaTrie.proof(forPath: path)
        }
        return ProofsResponse(head: head, marker: marker, proofs: proofs, metaProofs: metaProofs)
    }

    public func file(_ path: RemotePath) async throws -> FileResponse {
        await gate.enter()
        defer { gate.leave() }
        guard let entry = entries[FileEntry.key(forPath: path.string)] else {
            throw BlobberError.readNotFound(path: path.string)
        }
        return FileResponse(entry: entry, proof: trie.proof(forPath: path.string), marker: marker)
    }

    public func entry(_ path: RemotePath) async throws -> FileEntry {
        await gate.enter()
        defer { gate.leave() }
        guard let entry = entries[FileEntry.key(forPath: path.string)] else {
            throw BlobberError.readNotFound(path: path.string)
        }
        return entry
    }

    public func state(pendingMarkers: Int) async -> AllocationStateResponse {
        await gate.enter()
        defer { gate.leave() }
        return AllocationStateResponse(
            head: head, marker: marker, storedBytes: storedBytes, fileCount: entries.count,
            pendingMarkers: pendingMarkers, canUndo: undoSequence > 0)
    }

    /// The challenge answer for `seed` against `root`, which may be an older root the ledger holds.
    public func challengeAnswer(challengeID: Hash, root: Hash, seed: Hash) async throws -> ChallengeResponsePayload? {
        await gate.enter()
        defer { gate.leave() }
        let answerTrie: AllocationTrie
        let byKey: [Hash: FileEntry]
        if root == head.allocationRoot {
            answerTrie = trie
            byKey = entries
        } else {
            guard let sequence = try await database.sequence(info.id, root: root) else { return nil }
            let old = try await database.entries(info.id, at: sequence)
            answerTrie = AllocationTrie(kind: .allocation, entries: old)
            byKey = Dictionary(uniqueKeysWithValues: old.map { ($0.key, $0) })
        }
        guard answerTrie.root == root, let proof = answerTrie.challengeProof(seed: seed),
            let leaf = proof.trieProof.leaf, let entry = byKey[leaf.key]
        else { return nil }
        let index = Int(proof.blockIndex)
        // The shard's tree and the challenged block, read on the thread pool in one job.
        let (id, shards) = (info.id, self.shards)
        guard
            let (tree, block) = try await BlockingIO.run({ () throws -> (ShardTree, [UInt8])? in
                let tree = try shards.treeNow(id, entry.shardRoot)
                guard index < tree.blockCount else { return nil }
                let block = try shards.readBlocksNow(
                    id, entry.shardRoot, start: index, count: 1, allocator: ByteBufferAllocator())
                return (tree, Array(block.readableBytesView))
            })
        else { return nil }
        let blockProof = tree.proof(forBlock: index)
        return ChallengeResponsePayload(
            challengeID: challengeID, entry: entry, block: block, blockProof: blockProof, trieProof: proof)
    }
}
