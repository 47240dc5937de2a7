import AsyncHTTPClient
import Erasure
import Foundation
import Merkle
import NIOCore
import StorageProtocol

/// Brings blobbers that are behind, ahead or wrong to the state a split resolves to (`SplitResolution`,
/// docs/PROTOCOL.md 10.8): blobbers that can reach it by undoing their latest commit are rolled back;
/// for the others, for each file they lack or hold in another version, only
/// their shard is rebuilt, block run by block run, from `k` good blobbers (verified like any
/// download) and streamed to them; files the agreed state no longer has are deleted; then one commit
/// per repaired blobber, signed from its own proofs. Never a whole-file download into memory or disk.
public struct Repairer: Sendable {
    public let session: AllocationSession
    public var blocksPerRequest = 64

    public init(session: AllocationSession) {
        self.session = session
    }

    public struct Report: Sendable, Codable {
        /// Shard index → what was done.
        public var repaired: [String: BlobberRepair]
        public var agreedFileMetaRoot: String?
        public var unreachable: [Int]
        /// Shard indexes rolled back over their latest commit to reach the agreed state.
        public var undone: [Int]
        /// With `verify`: every shard found damaged (blocks that did not verify), before it was rebuilt.
        public var damaged: [ShardAudit.Finding] = []

        enum CodingKeys: String, CodingKey {
            case repaired, unreachable, undone, damaged
            case agreedFileMetaRoot = "agreed_file_meta_root"
        }
    }

    public struct BlobberRepair: Sendable, Codable {
        public var shardIndex: Int
        public var rebuiltFiles: [String]
        public var deletedFiles: [String]
        public var rebuiltBytes: UInt64
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case error
            case shardIndex = "shard_index"
            case rebuiltFiles = "rebuilt_files"
            case deletedFiles = "deleted_files"
            case rebuiltBytes = "rebuilt_bytes"
        }
    }

    /// Repairs the allocation. With `verify`, first reads every block of every agreed file from every
    /// blobber that holds the agreed state and checks it against its proof (`ShardAudit`); a blobber with
    /// damaged shards has exactly those shards rebuilt and re-committed (same entry, fresh bytes). `damage`
    /// names shards already found damaged (by a monitor's sampled audit) to rebuild the same way.
    public func repair(verify: Bool = false, damage: [ShardAudit.Finding] = []) async throws(ClientError) -> Report {
        guard session.isOwner else { throw .notOwner(allocation: session.id) }
        return try await session.home.withWriteLock(session.id, timeout: session.writeLockWait) {
            () async throws(ClientError) -> Report in
            try await repairHoldingLock(verify: verify, damage: damage)
        }
    }

    /// `repair()` for a caller that already holds the allocation's write lock (an upload repairing the
    /// blobbers that missed its commit).
    func repairHoldingLock(verify: Bool = false, damage: [ShardAudit.Finding] = []) async throws(ClientError)
        -> Report
    {
        guard session.isOwner else { throw .notOwner(allocation: session.id) }
        let observation = await AllocationStatus.observe(session)
        adoptShownMarkers(observation)
        guard let chosen = observation.resolution.chosen else {
            let best = observation.resolution.candidates.map(\.support).max() ?? 0
            throw .tooFewGoodBlobbers(
                path: "/", good: best, required: session.dataShards,
                failures: observation.resolution.candidates.map {
                    "state \($0.fileMetaRoot.hex.prefix(12)) signed at \($0.signedAt): held by \($0.holders), "
                        + "reachable by rollback from \($0.undoable)"
                })
        }
        let reachable = observation.observed.map(\.index)
        var report = Report(
            repaired: [:], agreedFileMetaRoot: chosen.fileMetaRoot.hex,
            unreachable: session.blobbers.indices.filter { !reachable.contains($0) }, undone: [])
        // Blobbers whose last commit is the only difference go back by a rollback; the rest are rebuilt.
        var good = chosen.holders
        for index in chosen.undoable {
            if await undo(index, observation: observation) {
                good.append(index)
                report.undone.append(index)
            }
        }
        good.sort()
        guard good.count >= session.dataShards else {
            throw .tooFewGoodBlobbers(path: "/", good: good.count, required: session.dataShards, failures: [])
        }
        var targets = reachable.filter { !good.contains($0) }
        guard !targets.isEmpty || verify || !damage.isEmpty else { return report }
        // The agreed files, with each good blobber's entry (for its shard root).
        let agreed = try await allFiles(on: good)
        // Damaged shards on blobbers that otherwise hold the agreed state: rebuilt in place.
        var findings = damage.filter { good.contains($0.shardIndex) && $0.isDamaged }
        if verify { findings += await audit(agreed, on: good) }
        report.damaged = findings
        var damaged: [Int: Set<String>] = [:]
        for finding in findings { damaged[finding.shardIndex, default: []].insert(finding.path) }
        targets += damaged.keys.filter { !targets.contains($0) }
        targets.sort()
        for target in targets {
            var outcome = BlobberRepair(shardIndex: target, rebuiltFiles: [], deletedFiles: [], rebuiltBytes: 0)
            do throws(ClientError) {
                try await repair(target, agreed: agreed, good: good, damaged: damaged, outcome: &outcome)
            } catch {
                outcome.error = error.description
            }
            report.repaired[String(target)] = outcome
        }
        return report
    }

    /// Takes every counted blobber's owner-signed marker that is newer than the wallet's record into the
    /// record (the record of a killed client lags behind what it committed), so the record's `previous`
    /// stays the marker before each blobber's latest commit.
    func adoptShownMarkers(_ observation: AllocationStatus.Observation) {
        guard var record = try? session.home.loadMarkers(session.id) else { return }
        var changed = false
        for blobber in observation.observed where blobber.signedAt != nil {
            guard case .success(let state)? = observation.states[blobber.index], let marker = state.marker else {
                continue
            }
            let id = session.blobbers[blobber.index].blobberID
            if record[id].map({ $0.sequence < marker.sequence }) ?? true {
                record[id] = marker
                changed = true
            }
        }
        if changed { try? session.home.saveMarkers(record, for: session.id) }
    }

    /// Rolls blobber `index` back over its latest commit (signed from its own marker and the record's
    /// marker before it); true when it is then at the state that marker signed.
    func undo(_ index: Int, observation: AllocationStatus.Observation) async -> Bool {
        guard case .success(let state)? = observation.states[index], let committed = state.marker else { return false }
        let blobber = session.blobbers[index]
        var record = (try? session.home.loadMarkers(session.id)) ?? SignedMarkers()
        guard let previous = record.head(before: committed, blobber: blobber.blobberID) else { return false }
        let marker = session.planner.rollbackMarker(undoing: committed, previous: previous, now: Clock.nowMillis)
        let answered: Bool
        do throws(ClientError) {
            let answer = try await blobber.rollback(marker)
            answered = answer.allocationRoot == marker.allocationRoot && answer.sequence == marker.sequence
        } catch {
            answered = false
        }
        guard answered else { return false }
        record[blobber.blobberID] = marker
        return (try? session.home.saveMarkers(record, for: session.id)) != nil
    }

    /// Every file on `blobbers` (walking directories from `/`), keyed by path, per blobber index.
    func allFiles(on blobbers: [Int]) async throws(ClientError) -> [String: [Int: FileEntry]] {
        var out: [String: [Int: FileEntry]] = [:]
        for index in blobbers {
            for entry in try await files(on: index) { out[entry.path, default: [:]][index] = entry }
        }
        // Keep only files at least k good blobbers hold in the same version.
        return out.filter { _, entries in
            Dictionary(grouping: entries.values, by: \.metaHash).values.contains { $0.count >= session.dataShards }
        }
    }

    func files(on index: Int) async throws(ClientError) -> [FileEntry] {
        try await session.blobbers[index].allFiles(under: "/")
    }

    /// Every agreed file's shard on every blobber of `good`, read whole and verified; the damaged ones.
    func audit(_ agreed: [String: [Int: FileEntry]], on good: [Int]) async -> [ShardAudit.Finding] {
        let auditor = ShardAudit()
        let blobbers = session.blobbers
        let perBlobber = await FanOut.run(good, slots: blobbers.count) { index -> [ShardAudit.Finding] in
            var out: [ShardAudit.Finding] = []
            for (_, entries) in agreed.sorted(by: { $0.key < $1.key }) {
                guard let entry = entries[index] else { continue }
                let finding = await auditor.audit(blobbers[index], shardIndex: index, entry: entry)
                if finding.isDamaged { out.append(finding) }
                if finding.unreachable { break }
            }
            return out
        }
        return perBlobber.successes.flatMap(\.value)
    }

    func repair(
        _ target: Int, agreed: [String: [Int: FileEntry]], good: [Int], damaged: [Int: Set<String>] = [:],
        outcome: inout BlobberRepair
    ) async throws(ClientError) {
        let blobber = session.blobbers[target]
        let held = Dictionary(try await files(on: target).map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [CommitChange] = []
        for (path, entries) in agreed.sorted(by: { $0.key < $1.key }) {
            let reference = Dictionary(grouping: entries.values, by: \.metaHash).values.max { $0.count < $1.count }![0]
            let heal = damaged[target]?.contains(path) == true
            if let mine = held[path], mine.metaHash == reference.metaHash, !heal { continue }
            // Sources: the blobbers holding this version whose shard of it was not found damaged.
            let sources = entries.filter {
                $0.value.metaHash == reference.metaHash && damaged[$0.key]?.contains(path) != true
            }.map { index, entry in
                BlockReader.Source(index: index, entry: entry, latency: .zero)
            }
            let (uploadID, root) = try await rebuild(target, entry: reference, sources: sources)
            var entry = reference
            entry.shardRoot = root
            changes.append(.put(uploadID: uploadID, entry: entry))
            outcome.rebuiltFiles.append(path)
            outcome.rebuiltBytes += entry.blockCount * UInt64(ShardTree.blockSize)
        }
        for path in held.keys.sorted() where agreed[path] == nil {
            changes.append(.delete(path: try RemotePath.parse(path)))
            outcome.deletedFiles.append(path)
        }
        guard !changes.isEmpty else { return }
        let consensus = ConsensusBox(WriteConsensus(blobbers: 1, dataShards: 0))
        consensus.withLock { $0.staged(0) }
        // One blobber's commit: reuse the commit phase on a one-blobber view of the session.
        let single = AllocationSession(
            view: session.view, blobbers: [blobber], signer: session.signer, coder: session.coder, home: session.home)
        let finalChanges = changes
        try await Committer(session: single, injectFaults: false).commit(consensus: consensus, now: Clock.nowMillis) {
            _ throws(ClientError) in
            finalChanges
        }
    }

    /// Rebuilds shard `target` of `entry` run by run from `sources` and streams it to the target
    /// blobber; returns the upload id and the shard root the blobber confirmed.
    func rebuild(_ target: Int, entry: FileEntry, sources: [BlockReader.Source]) async throws(ClientError)
        -> (String, Hash)
    {
        if let problem = entry.shapeProblem(dataShards: session.dataShards) {
            throw .integrity(path: entry.path, reason: problem)
        }
        let blobber = session.blobbers[target]
        let uploadID = UploadID.random()
        let blocks = Int(entry.blockCount)
        let shardLength = UInt64(blocks * ShardTree.blockSize)
        let k = session.dataShards
        let coder = session.coder
        let reader = BlockReader(
            session: session, path: entry.path, sources: sources, hedgeAfter: .milliseconds(200), failures: [:])
        let blocksPerRequest = self.blocksPerRequest
        let (produced, answers) = await ShardStream.run(
            uploadID: uploadID, shardLength: shardLength, targets: [.init(index: target, blobber: blobber)],
            capacity: 2
        ) { stream throws(ClientError) -> Hash in
            var tree = ShardTreeBuilder()
            var start = 0
            let block = ShardTree.blockSize
            let parity = UnsafeMutableRawBufferPointer.allocate(
                byteCount: max(1, coder.parityShards) * block, alignment: 64)
            defer { parity.deallocate() }
            let window = StripeWindow(dataShards: k, capacity: blocksPerRequest)
            let outputs = (0..<coder.parityShards).map {
                UnsafeMutableRawBufferPointer(rebasing: parity[($0 * block)..<(($0 + 1) * block)])
            }
            while start < blocks {
                let count = min(blocksPerRequest, blocks - start)
                try await reader.read(stripes: start..<(start + count), into: window)
                var run = ByteBuffer()
                run.reserveCapacity(count * block)
                for b in 0..<count {
                    if target < k {
                        run.writeBytes(UnsafeRawBufferPointer(window.slots(shard: target).block(b)))
                    } else {
                        try! coder.encode(stripe: UnsafeRawBufferPointer(window.stripe(b)), parity: outputs)  // shapes fixed
                        run.writeBytes(UnsafeRawBufferPointer(outputs[target - k]))
                    }
                }
                run.withUnsafeReadableBytes { tree.append($0) }
                guard await stream.send(run, to: target) else { break }
                start += count
            }
            return tree.finish().root
        }
        let root = try produced.get()
        switch answers[target] {
        case .success(let status)?:
            guard status.complete, status.shardRoot == root else {
                throw .badAnswer(
                    blobber: blobber.blobberID,
                    reason: "the rebuilt shard of \(entry.path) was staged with another root")
            }
            return (uploadID, root)
        case .failure(let error)?: throw error
        case nil: throw .blobberUnreachable(blobber: blobber.blobberID, reason: "no answer to the upload")
        }
    }
}
