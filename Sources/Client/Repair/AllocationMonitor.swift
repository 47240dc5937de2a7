import Foundation
import Merkle
public import StorageProtocol
import Synchronization

/// One allocation watched by `blob monitor` (zstor's `monitor`): each `round` asks every blobber for its
/// state, audits a few random blocks of a few random files on every blobber against the roots the owner
/// signed, repairs every blobber that is behind, wrong or failed the audit, and replaces through the
/// ledger a blobber that has been unreachable or failing for longer than `replaceAfter`, then fills the
/// new one. Every step is one the CLI also offers (`status`, `check --verify`, `repair`, `alloc update
/// --replace … --with auto`), and each is safe to repeat: a second monitor (or a restarted one) finds the
/// work done and does nothing, and writes take the allocation's write lock in the wallet's home.
public final class AllocationMonitor: Sendable {
    public struct Policy: Sendable, Equatable {
        /// Files audited on each blobber per round, and blocks per file.
        public var auditFiles: Int
        public var auditBlocks: Int
        /// A blobber unreachable or failing for this long (ms) is replaced.
        public var replaceAfter: Int64

        public init(auditFiles: Int = 4, auditBlocks: Int = 2, replaceAfter: Int64 = 600_000) {
            self.auditFiles = auditFiles
            self.auditBlocks = auditBlocks
            self.replaceAfter = replaceAfter
        }
    }

    /// What one round saw and did.
    public struct Round: Sendable, Codable {
        public struct Blobber: Sendable, Codable {
            public var shardIndex: Int
            public var blobberID: String
            public var healthy: Bool
            /// Why not, when not healthy.
            public var problem: String?
            /// Milliseconds it has been unhealthy without a break (0 when healthy).
            public var unhealthyFor: Int64

            enum CodingKeys: String, CodingKey {
                case healthy, problem
                case shardIndex = "shard_index"
                case blobberID = "blobber_id"
                case unhealthyFor = "unhealthy_ms"
            }
        }

        public var allocationID: String
        public var blobbers: [Blobber] = []
        public var auditsPassed = 0
        public var auditsFailed = 0
        /// Shards found damaged by this round's audit.
        public var damaged: [ShardAudit.Finding] = []
        /// Blobbers repaired this round (shard index → files rebuilt), and bytes rebuilt.
        public var repaired: [String: Int] = [:]
        public var rebuiltBytes: UInt64 = 0
        /// `from → to` blobber ids replaced this round.
        public var replaced: [String] = []
        /// Every decision, in order, as a sentence.
        public var decisions: [String] = []
        /// A step that failed (it is tried again next round).
        public var errors: [String] = []
        public var seconds: Double = 0

        enum CodingKeys: String, CodingKey {
            case blobbers, damaged, repaired, replaced, decisions, errors, seconds
            case allocationID = "allocation_id"
            case auditsPassed = "audits_passed"
            case auditsFailed = "audits_failed"
            case rebuiltBytes = "rebuilt_bytes"
        }
    }

    public let allocation: AllocationID
    let home: ClientHome
    let ledger: LedgerClient
    let lockWait: Duration
    private let state = Mutex<(policy: Policy, unhealthySince: [BlobberID: Int64])>((Policy(), [:]))
    /// The files of the last agreed state the audit listed, by its `file_meta_root`: a state names its
    /// files exactly, so while the allocation does not change a round samples from this list instead of
    /// listing every file again (10,000 files cost one listing, not one per round).
    private let listed = Mutex<(fileMetaRoot: String, files: [FileEntry])?>(nil)
    /// Lists longer than this are not kept (about 300 bytes each).
    static let listedFilesKept = 200_000

    public init(
        allocation: AllocationID, home: ClientHome, ledger: LedgerClient, policy: Policy = Policy(),
        lockWait: Duration = .seconds(5)
    ) {
        self.allocation = allocation
        self.home = home
        self.ledger = ledger
        self.lockWait = lockWait
        state.withLock { $0.policy = policy }
    }

    public var policy: Policy {
        get { state.withLock { $0.policy } }
        set { state.withLock { $0.policy = newValue } }
    }

    /// One round. Never throws: what failed is in `errors` and is tried again next round.
    public func round() async -> Round {
        let clock = ContinuousClock()
        let start = clock.now
        var round = Round(allocationID: allocation.hex)
        do throws(ClientError) {
            try await run(&round)
        } catch {
            round.errors.append(error.description)
            round.decisions.append("stopped the round: \(error.description)")
        }
        let elapsed = (clock.now - start).components
        round.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        return round
    }

    /// (b') A blobber the ledger saw fail a challenge on this allocation since the last failure answered
    /// has bytes wrong somewhere the sampled audit may not reach: every block of every shard it holds is
    /// read and verified, and what does not verify goes to the repair of step (c) like an audit's damage.
    /// The failure counts as answered (`AuditLog.Entry.challengeFailureSeen`) once the verification ran
    /// whole, so a monitor stopped half-way verifies again.
    private func verifyAfterFailedChallenges(
        session: AllocationSession, agreeing: [Int], files: [FileEntry], round: inout Round,
        problems: inout [Int: String]
    ) async throws(ClientError) {
        var log = AuditLog.load(home, allocation)
        let downloader = Downloader(session: session)
        for index in agreeing {
            let blobber = session.blobbers[index]
            let id = blobber.blobberID.hex
            guard
                let failures = try? await ledger.failedChallenges(of: blobber.blobberID),
                let latest = failures.filter({ $0.allocationID == allocation }).last?.issuedAt,
                latest > log.blobbers[id]?.challengeFailureSeen ?? Int64.min
            else { continue }
            round.decisions.append(
                "shard \(index): failed a ledger challenge (issued at \(latest)); verifying every block of its \(files.count) file(s)")
            let auditor = ShardAudit()
            var damaged = 0
            for file in files {
                let located = try await downloader.locate(try RemotePath.parse(file.path), waitForAll: true)
                guard let source = located.sources.first(where: { $0.index == index }) else { continue }
                let finding = await auditor.audit(blobber, shardIndex: index, entry: source.entry, blocks: nil)
                guard !finding.unreachable else {
                    throw .badAnswer(blobber: blobber.blobberID, reason: "unreachable while verified: \(finding.problem ?? "")")
                }
                if finding.isDamaged {
                    damaged += 1
                    round.damaged.append(finding)
                    problems[index] = "failed a ledger challenge; \(file.path) blocks \(finding.damagedBlocks) do not verify"
                }
            }
            round.decisions.append("shard \(index): \(damaged) file(s) with blocks that do not verify")
            var entry = log.blobbers[id] ?? AuditLog.Entry(at: Clock.nowMillis, passed: 0, failed: 0)
            entry.challengeFailureSeen = latest
            if damaged > 0 {
                entry.at = Clock.nowMillis
                entry.failed += damaged
                entry.problem = entry.problem ?? "failed a ledger challenge"
            }
            log.blobbers[id] = entry
            try? log.save(home, allocation)
        }
    }

    private func run(_ round: inout Round) async throws(ClientError) {
        let policy = self.policy
        let client = try await BlobClient.open(allocation: allocation, home: home, ledger: ledger, lockWait: lockWait)
        let session = client.session
        guard session.isOwner else { throw .notOwner(allocation: allocation) }

        // (a) Every blobber's state.
        let status = await client.status()
        var problems: [Int: String] = [:]
        for row in status.blobbers {
            if !row.reachable {
                problems[row.shardIndex] = "unreachable: \(row.error ?? "no answer")"
            } else if !row.agrees {
                problems[row.shardIndex] = "not at the agreed state (sequence \(row.sequence.map(String.init) ?? "?"))"
            }
        }

        // (b) Audit a few random blocks of a few random files on every blobber that agrees.
        let agreeing = status.blobbers.filter { $0.reachable && $0.agrees }.map(\.shardIndex)
        if !agreeing.isEmpty, let agreedRoot = status.agreedFileMetaRoot {
            let files: [FileEntry]
            if let kept = listed.withLock({ $0 }), kept.fileMetaRoot == agreedRoot {
                files = kept.files
            } else {
                files = try await session.blobbers[agreeing[0]].allFiles(under: "/")
                listed.withLock { $0 = files.count <= Self.listedFilesKept ? (agreedRoot, files) : nil }
            }
            try await verifyAfterFailedChallenges(
                session: session, agreeing: agreeing, files: files, round: &round, problems: &problems)
            let picked = Array(files.shuffled().prefix(policy.auditFiles))
            let auditor = ShardAudit()
            let downloader = Downloader(session: session)
            var tally: [Int: AuditLog.Entry] = [:]
            defer {
                var log = AuditLog.load(home, allocation)
                for (index, entry) in tally {
                    let id = session.blobbers[index].blobberID.hex
                    var merged = entry
                    merged.challengeFailureSeen = log.blobbers[id]?.challengeFailureSeen
                    log.blobbers[id] = merged
                }
                if !tally.isEmpty { try? log.save(home, allocation) }
            }
            for file in picked {
                let path = try RemotePath.parse(file.path)
                let located = try await downloader.locate(path, waitForAll: true)
                for source in located.sources where agreeing.contains(source.index) {
                    let count = Int(clamping: source.entry.blockCount)
                    let blocks = (0..<policy.auditBlocks).map { _ in Int.random(in: 0..<max(1, count)) }
                    let finding = await auditor.audit(
                        session.blobbers[source.index], shardIndex: source.index, entry: source.entry, blocks: blocks)
                    if !finding.unreachable {
                        tally[source.index, default: AuditLog.Entry(at: Clock.nowMillis, passed: 0, failed: 0)]
                            .record(finding)
                    }
                    if finding.isDamaged {
                        round.auditsFailed += 1
                        round.damaged.append(finding)
                        problems[source.index] = "failed the audit of \(file.path): \(finding.problem ?? "damaged")"
                        round.decisions.append(
                            "shard \(source.index): \(file.path) blocks \(finding.damagedBlocks) do not verify")
                    } else if finding.unreachable {
                        problems[source.index] = "unreachable during the audit: \(finding.problem ?? "")"
                    } else {
                        round.auditsPassed += 1
                    }
                }
            }
        }

        // How long each blobber has been unhealthy.
        let now = Clock.nowMillis
        let since = state.withLock { state -> [BlobberID: Int64] in
            var next: [BlobberID: Int64] = [:]
            for (index, blobber) in session.blobbers.enumerated() where problems[index] != nil {
                next[blobber.blobberID] = state.unhealthySince[blobber.blobberID] ?? now
            }
            state.unhealthySince = next
            return next
        }
        round.blobbers = session.blobbers.enumerated().map { index, blobber in
            Round.Blobber(
                shardIndex: index, blobberID: blobber.blobberID.hex, healthy: problems[index] == nil,
                problem: problems[index], unhealthyFor: since[blobber.blobberID].map { now - $0 } ?? 0)
        }

        // (d) Replace blobbers unhealthy for longer than the policy allows (before repairing: the repair
        // then fills the new ones too).
        var replacedAny = false
        let service = AllocationService(ledger: ledger, owner: session.signer)
        for (index, blobber) in session.blobbers.enumerated() {
            guard let first = since[blobber.blobberID], now - first >= policy.replaceAfter else { continue }
            do throws(ClientError) {
                let view = try await service.update(allocation, .init(replace: (from: blobber.blobberID, to: .auto)))
                let new = view.blobbers.first { $0.shardIndex == index }?.blobberID
                round.replaced.append("\(blobber.blobberID.hex) → \(new?.hex ?? "?")")
                round.decisions.append(
                    "shard \(index): replaced \(blobber.blobberID.short) by \(new?.short ?? "?") after \((now - first) / 1000) s unhealthy (\(problems[index] ?? ""))"
                )
                state.withLock { _ = $0.unhealthySince.removeValue(forKey: blobber.blobberID) }
                replacedAny = true
            } catch {
                round.errors.append("replacing shard \(index): \(error.description)")
                round.decisions.append("shard \(index): replacement failed: \(error.description)")
            }
        }

        // (c) Repair what is behind, wrong or damaged (and fill replacements), on a fresh view when the
        // blobbers changed.
        let needsRepair = replacedAny || problems.contains { !$0.value.hasPrefix("unreachable") }
        guard needsRepair else {
            if problems.isEmpty { round.decisions.append("every blobber healthy") }
            return
        }
        let repairing = replacedAny
            ? try await BlobClient.open(allocation: allocation, home: home, ledger: ledger, lockWait: lockWait) : client
        round.decisions.append("repairing")
        let report = try await Repairer(session: repairing.session).repair(damage: round.damaged)
        var repairedNow: [Int] = []
        defer {
            // The audit log says which damage a repair has covered since (`blob status`'s health).
            var log = AuditLog.load(home, allocation)
            let now = Clock.nowMillis
            for index in repairedNow where repairing.session.blobbers.indices.contains(index) {
                let id = repairing.session.blobbers[index].blobberID.hex
                if log.blobbers[id] != nil { log.blobbers[id]?.repairedAt = now }
            }
            if !repairedNow.isEmpty { try? log.save(home, allocation) }
        }
        for (index, outcome) in report.repaired {
            if let error = outcome.error {
                round.errors.append("repairing shard \(index): \(error)")
                round.decisions.append("shard \(index): repair failed: \(error)")
                continue
            }
            if let shard = Int(index) { repairedNow.append(shard) }
            round.repaired[index] = outcome.rebuiltFiles.count
            round.rebuiltBytes += outcome.rebuiltBytes
            round.decisions.append(
                "shard \(index): rebuilt \(outcome.rebuiltFiles.count) file(s), \(outcome.rebuiltBytes) bytes; deleted \(outcome.deletedFiles.count)"
            )
        }
        for index in report.undone { round.decisions.append("shard \(index): rolled back to the agreed state") }
    }
}
