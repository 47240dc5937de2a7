import Foundation
public import Logging
import AsyncHTTPClient
import Merkle
import NIOCore
public import StorageProtocol

/// Uploads files into an allocation: the streaming pipeline, data+1 consensus and rollback
/// (DESIGN.md "Writes"; docs/PROTOCOL.md section 10 "Uploads").
public struct Uploader: Sendable {
    public let session: AllocationSession
    public var encrypt = false
    /// Stripes encoded per batch; a batch is what one pipeline step holds per shard.
    public var stripesPerBatch = 16
    /// Batches queued per blobber before the encoder waits.
    public var queueDepth = 4
    /// Files staged at once (small files go in parallel; large ones saturate the blobbers alone).
    public var fileConcurrency = 8
    /// Repair blobbers that missed the commit right after it (so replicas do not drift).
    public var repairMissed = true
    let logger: Logger

    public init(session: AllocationSession, encrypt: Bool = false, logger: Logger = Logger(label: "blob.upload")) {
        self.session = session
        self.encrypt = encrypt
        self.logger = logger
    }

    /// One file to upload: a local file, or bytes from a `ByteSource`.
    public struct Item: Sendable {
        /// The local file to read; empty when `bytes` gives the content.
        public var localPath: String
        /// The content, when it does not come from a local file.
        public var bytes: ByteSource?
        public var remotePath: RemotePath

        public init(localPath: String, remotePath: RemotePath) {
            self.localPath = localPath
            self.remotePath = remotePath
        }

        public init(remotePath: RemotePath, bytes: ByteSource) {
            self.localPath = ""
            self.bytes = bytes
            self.remotePath = remotePath
        }

        /// Opens the content for one read front to back.
        func open() throws(ClientError) -> any UploadSource {
            if let bytes {
                // Sizes are signed 64-bit on the wire; far below that, the shard arithmetic cannot overflow.
                guard bytes.size <= ByteSource.maximumSize else {
                    throw .invalidArgument("\(remotePath) announces \(bytes.size) bytes, more than any allocation holds")
                }
                return OpenedByteSource(bytes, remotePath: remotePath.string)
            }
            return try LocalFile(path: localPath)
        }
    }

    public struct Report: Sendable, Codable {
        public var files: [String]
        public var bytes: UInt64
        public var committed: [String]
        /// Blobbers that missed the commit, with why: reported and to be repaired.
        public var missed: [String: String]
        /// When some blobbers missed the commit: the repair tried right away (reachable ones are brought
        /// back; unreachable ones wait for `blob repair`).
        public var repair: Repairer.Report?
        /// Shard bytes that blobbers held from an interrupted earlier upload of the same files and were
        /// not sent again.
        public var resumedBytes: UInt64 = 0

        enum CodingKeys: String, CodingKey {
            case files, bytes, committed, missed, repair
            case resumedBytes = "resumed_bytes"
        }
    }

    /// What staging one file produced on every blobber.
    struct StagedFile: Sendable {
        var item: Item
        var uploadID: String
        var size: UInt64
        /// Per blobber (shard order): the entry to commit, or nil when that blobber failed.
        var entries: [FileEntry]
        /// Shard bytes the blobbers already held from an earlier run, not sent again.
        var resumed: UInt64 = 0
    }

    /// How much of upload `uploadID` each active blobber holds (whole blocks, at most the shard); 0
    /// where it holds nothing or does not answer (the upload then starts over there).
    func stagedOffsets(uploadID: String, shardLength: UInt64, active: [Bool]) async -> [UInt64] {
        let answers = await session.onBlobbers(session.blobbers.indices.filter { active[$0] }) {
            _, blobber throws(ClientError) in
            try await blobber.uploadStatus(uploadID: uploadID)
        }
        return session.blobbers.indices.map { index in
            guard case .success(let status)? = answers[index] else { return 0 }
            let received = status.received
            let usable = received <= shardLength && received % UInt64(ShardEncoder.blockSize) == 0
            return usable ? received : 0
        }
    }

    /// Uploads `items` and commits them in one commit per blobber.
    public func upload(_ items: [Item], progress: (@Sendable (UInt64) -> Void)? = nil) async throws(ClientError)
        -> Report
    {
        try session.checkWritable()
        return try await session.home.withWriteLock(session.id, timeout: session.writeLockWait) {
            () async throws(ClientError) -> Report in
            try await uploadHoldingLock(items, progress: progress)
        }
    }

    /// `upload` for a caller that holds the allocation's write lock; `edits` (deletes and renames) go
    /// into the same commit.
    func uploadHoldingLock(
        _ items: [Item], edits: FileOperations.Edits = .init(), progress: (@Sendable (UInt64) -> Void)?
    ) async throws(ClientError) -> Report {
        let filePaths = items.map(\.remotePath.string)
        let paths = filePaths + edits.paths
        guard Set(paths).count == paths.count else {
            throw .invalidArgument("a remote path appears twice in one upload")
        }
        guard paths.count <= ProofsRequest.maxPaths else {
            throw .invalidArgument("at most \(ProofsRequest.maxPaths) files per upload")
        }
        let n = session.blobbers.count
        let consensus = ConsensusBox(WriteConsensus(blobbers: n, dataShards: session.dataShards))
        let now = Clock.nowMillis
        let journal = UploadJournal(home: session.home, allocation: session.id)
        // Committed or dropped, nothing of this upload is left to resume; killed, the journal keeps it.
        defer { try? journal.remove(filePaths) }
        var staged: [StagedFile] = []
        var stagingError: ClientError?
        // Stage files, a few at a time. Not `onBlobbers`: this runs over files, not blobbers, with at most
        // `fileConcurrency` at once and a stop at the first failure.
        await withTaskGroup(of: Result<StagedFile, ClientError>.self) { group in
            var next = 0
            func start() {
                guard next < items.count else { return }
                let item = items[next]
                next += 1
                group.addTask {
                    await FanOut.result(at: 0) { _ throws(ClientError) in
                        try await stage(item, consensus: consensus, now: now, journal: journal, progress: progress)
                    }
                }
            }
            for _ in 0..<min(fileConcurrency, items.count) { start() }
            for await result in group {
                switch result {
                case .success(let file): staged.append(file)
                case .failure(let error):
                    if stagingError == nil { stagingError = error }
                    group.cancelAll()
                }
                if stagingError == nil { start() }
            }
        }
        if let stagingError {
            await dropStaged(staged, except: [])
            throw stagingError
        }
        // The deletes and renames, checked on every blobber that staged the files.
        var editChanges: [Int: [CommitChange]] = [:]
        if !edits.isEmpty {
            do {
                editChanges = try await FileOperations(session: session).stage(edits, now: now, into: consensus)
            } catch {
                await dropStaged(staged, except: [])
                throw error
            }
        }
        // Commit on every blobber that staged everything.
        let stagedFiles = staged
        let finalEdits = editChanges
        do {
            try await Committer(session: session).commit(consensus: consensus, now: now) { index throws(ClientError) in
                stagedFiles.map { CommitChange.put(uploadID: $0.uploadID, entry: $0.entries[index]) }
                    + (finalEdits[index] ?? [])
            }
        } catch {
            await dropStaged(staged, except: [])
            throw error
        }
        let state = consensus.withLock { $0 }
        // Blobbers that staged but did not commit keep nothing.
        await dropStaged(staged, except: Set(state.committedIndexes))
        var missed: [String: String] = [:]
        for index in state.missed {
            let reason = state.failures.first { $0.index == index }?.reason ?? "did not commit"
            missed[session.blobbers[index].blobberID.hex] = reason
        }
        var report = Report(
            files: staged.map(\.item.remotePath.string).sorted(), bytes: staged.reduce(0) { $0 + $1.size },
            committed: state.committedIndexes.map { session.blobbers[$0].blobberID.hex }, missed: missed,
            resumedBytes: staged.reduce(0) { $0 + $1.resumed })
        if !missed.isEmpty, repairMissed {
            report.repair = try? await Repairer(session: session).repairHoldingLock()
        }
        return report
    }

    /// Drops staged uploads (best effort) on every blobber not in `except`.
    func dropStaged(_ files: [StagedFile], except: Set<Int>) async {
        _ = await session.onBlobbers(session.blobbers.indices.filter { !except.contains($0) }) {
            _, blobber throws(ClientError) in
            for file in files { try? await blobber.dropUpload(uploadID: file.uploadID) }
        }
    }

    /// Encodes one file and streams shard `i` to blobber `i`, all at once; records failed blobbers.
    func stage(
        _ item: Item, consensus: ConsensusBox, now: Int64, journal: UploadJournal,
        progress: (@Sendable (UInt64) -> Void)?
    ) async throws(ClientError) -> StagedFile {
        let file = try item.open()
        let encoder = ShardEncoder(coder: session.coder, encrypt: encrypt)
        let n = session.blobbers.count
        let stripes = ShardEncoder.stripeCount(size: file.size, plaintextPerStripe: encoder.plaintextPerStripe)
        let shardLength = stripes * UInt64(ShardEncoder.blockSize)
        let active = consensus.withLock { state in
            (0..<n).map { state.outcomes[$0] == .pending || state.outcomes[$0] == .staged }
        }
        // A large local file in the clear that an earlier run began staging, unchanged since: each
        // blobber is sent only what it does not hold yet.
        let uploadID: String
        let offsets: [UInt64]
        let localFile = file as? LocalFile
        let resumable = !encrypt && file.size >= UploadJournal.minimumBytes && localFile != nil
        if resumable, let localFile, let earlier = journal.entry(for: item.remotePath.string), earlier.matches(localFile) {
            uploadID = earlier.uploadID
            offsets = await stagedOffsets(uploadID: earlier.uploadID, shardLength: shardLength, active: active)
        } else {
            uploadID = UploadID.random()
            offsets = [UInt64](repeating: 0, count: n)
        }
        if resumable, let localFile {
            try journal.record(UploadJournal.Entry(uploadID: uploadID, file: localFile), for: item.remotePath.string)
        }
        let resumed = offsets.reduce(0, +)
        let targets = (0..<n).filter { active[$0] }.map {
            ShardStream.Target(index: $0, blobber: session.blobbers[$0], offset: offsets[$0])
        }
        let stripesPerBatch = self.stripesPerBatch
        let (producerResult, results) = await ShardStream.run(
            uploadID: uploadID, shardLength: shardLength, targets: targets, capacity: queueDepth
        ) { stream throws(ClientError) -> (roots: [Hash], contentHash: Hash, key: StripeKey?) in
            let batchBytes = encoder.plaintextPerStripe * stripesPerBatch
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: batchBytes, alignment: 64)
            defer { buffer.deallocate() }
            var remaining = file.size
            var everyoneLeft = false
            // Where this batch starts in every shard.
            var position: UInt64 = 0
            // An empty file still sends its one stripe of padding.
            var emptyFileLeft = file.size == 0
            while remaining > 0 || emptyFileLeft {
                let want = Int(min(UInt64(batchBytes), remaining))
                let got = try await file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
                guard got == want else { throw file.changed }
                remaining -= UInt64(got)
                var shards = [ByteBuffer](repeating: ByteBuffer(), count: n)
                if emptyFileLeft {
                    emptyFileLeft = false
                    try encoder.encodeEmptyFile(into: &shards)
                } else {
                    try encoder.encode(plaintext: UnsafeRawBufferPointer(rebasing: buffer[0..<got]), into: &shards)
                }
                var anyone = false
                let end = position + UInt64(shards[0].readableBytes)
                for index in 0..<n where active[index] {
                    // A blobber already holding this batch is still in, just not sent to.
                    guard end > offsets[index] else {
                        anyone = true
                        continue
                    }
                    var bytes = shards[index]
                    if offsets[index] > position { bytes.moveReaderIndex(forwardBy: Int(offsets[index] - position)) }
                    if await stream.send(bytes, to: index) { anyone = true }
                }
                position = end
                guard anyone else {
                    everyoneLeft = true
                    break
                }
                progress?(UInt64(got))
            }
            // Unless every blobber refused this file (the consensus then fails on the recorded
            // reasons), it must end where it ended when opened, unchanged.
            if !everyoneLeft {
                let probe = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
                defer { probe.deallocate() }
                guard try await file.read(into: probe) == 0 else { throw file.changed }
                try file.checkUnchanged()
            }
            return (encoder.trees.map { $0.finish().root }, encoder.contentHash, encoder.stripeKey)
        }
        let roots: [Hash]
        let contentHash: Hash
        let key: StripeKey?
        switch producerResult {
        case .success(let produced): (roots, contentHash, key) = produced
        case .failure(let error):
            // Nothing of this file may stay staged anywhere.
            await dropStaged([StagedFile(item: item, uploadID: uploadID, size: 0, entries: [])], except: [])
            throw error
        }
        let encryption = key.map { EncryptionHeader.seal($0, owner: session.signer.shareKey).bytes } ?? []
        var entries: [FileEntry] = []
        for index in 0..<n {
            let entry = FileEntry(
                path: item.remotePath.string, size: Int64(file.size), contentHash: contentHash, shardRoot: roots[index],
                blockCount: stripes, encryption: encryption, createdAt: now, updatedAt: now)
            entries.append(entry)
            guard active[index] else { continue }
            switch results[index] {
            case .success(let status)?:
                if status.complete, status.shardRoot == roots[index], status.blockCount == stripes {
                    consensus.withLock { $0.staged(index) }
                } else {
                    consensus.withLock {
                        $0.failed(
                            index,
                            "staged shard of \(item.remotePath) does not match: root \(status.shardRoot?.hex.prefix(12) ?? "none"), expected \(roots[index].hex.prefix(12))"
                        )
                    }
                }
            case .failure(let error)?:
                consensus.withLock { $0.failed(index, error.detail) }
            case nil:
                consensus.withLock { $0.failed(index, "no answer") }
            }
        }
        return StagedFile(item: item, uploadID: uploadID, size: file.size, entries: entries, resumed: resumed)
    }
}
