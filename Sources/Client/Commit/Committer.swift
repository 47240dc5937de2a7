import Merkle
import StorageProtocol

/// The commit phase of a write, shared by uploads, deletes and renames: on every blobber the
/// consensus left in, fetch proofs, compute and sign the marker, commit; then data+1 decides, and
/// with fewer than `k + 1` commits every committed blobber is rolled back to its previous root.
/// Every marker signed is recorded in the wallet's home before the method returns.
struct Committer: Sendable {
    let session: AllocationSession
    /// Whether the test-only hooks of `FaultInjection` apply (not to repair's own commits).
    var injectFaults = true

    /// Runs the commit on the blobbers `consensus` has staged. `changes(index)` gives blobber `index`'s
    /// changes. Throws `consensusFailed` after a rollback.
    func commit(
        consensus: ConsensusBox, now: Int64,
        changes: @escaping @Sendable (Int) async throws(ClientError) -> [CommitChange]
    ) async throws(ClientError) {
        let commitSet = consensus.withLock { $0.finishStaging() }
        guard !commitSet.isEmpty else {
            let state = consensus.withLock { $0 }
            throw .consensusFailed(
                succeeded: state.outcomes.filter { $0 == .staged }.count, required: state.required,
                failures: session.describe(state.failures))
        }
        if injectFaults { await FaultInjection.stagingFinished() }
        var markers = try session.home.loadMarkers(session.id)
        let known = markers
        let session = self.session
        let injectFaults = self.injectFaults
        // First every blobber's proofs and marker, then the commits: the record can then take in, before
        // anything is committed, every newer owner-signed marker a blobber showed (a commit whose answer
        // was lost, or a killed client's), so its `previous` is always the marker before each commit
        // (what repair's undo needs, docs/PROTOCOL.md 10.8).
        let answers = await session.onBlobbers(commitSet) {
            index, blobber throws(ClientError) -> (marker: WriteMarker, head: BlobberHead, reference: WriteMarker?, changes: [CommitChange]) in
            if injectFaults, FaultInjection.skipCommit.contains(index) {
                throw ClientError.blobberUnreachable(blobber: blobber.blobberID, reason: "test: commit not sent")
            }
            let changes = try await changes(index)
            let proofs = try await blobber.proofs(paths: Array(Set(changes.flatMap(\.paths))).sorted())
            let planner = session.planner
            let last = newest(known[blobber.blobberID], proofs.marker, owner: session.signer.publicKey)
            let head = try planner.trustedHead(blobber: blobber.blobberID, proofs: proofs, lastSigned: last)
            let marker = try planner.marker(
                for: blobber.blobberID, changes: changes, proofs: proofs, head: head, now: now)
            return (marker, head, last, changes)
        }
        for (index, error) in answers.failures { consensus.withLock { $0.failed(index, error.detail) } }
        let ready = Dictionary(uniqueKeysWithValues: answers.successes.map { ($0.index, $0.value) })
        var adopted = false
        for (index, entry) in ready.sorted(by: { $0.key < $1.key }) {
            let id = session.blobbers[index].blobberID
            if let reference = entry.reference, markers[id] != reference {
                markers[id] = reference
                adopted = true
            }
        }
        if adopted { try session.home.saveMarkers(markers, for: session.id) }
        let commitOrder = commitSet.filter { ready[$0] != nil }
        let sequential = injectFaults && FaultInjection.sequential
        let commits = await session.onBlobbers(commitOrder, sequential: sequential) {
            index, blobber throws(ClientError) -> WriteMarker in
            let entry = ready[index]!
            let answer = try await blobber.commit(CommitRequest(changes: entry.changes, marker: entry.marker))
            if injectFaults { FaultInjection.committed() }
            guard answer.allocationRoot == entry.marker.allocationRoot, answer.sequence == entry.marker.sequence else {
                throw ClientError.badAnswer(
                    blobber: blobber.blobberID, reason: "commit answered another root or sequence")
            }
            return entry.marker
        }
        var previousHeads: [Int: BlobberHead] = [:]
        for index in commitOrder {
            switch commits[index] {
            case .success(let marker)?:
                previousHeads[index] = ready[index]!.head
                consensus.withLock { $0.committed(index, marker: marker) }
            case .failure(let error)?: consensus.withLock { $0.failed(index, error.detail) }
            case nil: break
            }
        }
        let rollbackSet = consensus.withLock { $0.finishCommits() }
        for index in consensus.withLock({ $0.committedIndexes }) {
            if case .committed(let marker) = consensus.withLock({ $0.outcomes[index] }) {
                markers[session.blobbers[index].blobberID] = marker
            }
        }
        try session.home.saveMarkers(markers, for: session.id)
        // Success only when data+1 blobbers committed; an empty rollback set after too few commits (none
        // at all: every commit failed) is a failure with nothing to roll back, never a success.
        if consensus.withLock({ $0.phase }) == .succeeded { return }
        guard !rollbackSet.isEmpty else {
            consensus.withLock { $0.finishRollback() }
            let state = consensus.withLock { $0 }
            throw .consensusFailed(succeeded: 0, required: state.required, failures: session.describe(state.failures))
        }
        let heads = previousHeads
        if injectFaults { FaultInjection.rollbackStarting() }
        let rollbackTargets = rollbackSet.compactMap { index -> (Int, WriteMarker)? in
            guard case .committed(let committed) = consensus.withLock({ $0.outcomes[index] }),
                let previous = heads[index]
            else { return nil }
            return (index, session.planner.rollbackMarker(undoing: committed, previous: previous, now: Clock.nowMillis))
        }
        let markersToSend = Dictionary(uniqueKeysWithValues: rollbackTargets)
        let rollbacks = await session.onBlobbers(rollbackTargets.map { $0.0 }, sequential: sequential) {
            index, blobber throws(ClientError) -> WriteMarker in
            let marker = markersToSend[index]!
            defer { if injectFaults { FaultInjection.rolledBack() } }
            _ = try await blobber.rollback(marker)
            return marker
        }
        let results: [(Int, WriteMarker?, String?)] = rollbackTargets.map { index, _ in
            switch rollbacks[index] {
            case .success(let marker)?: return (index, marker, nil)
            case .failure(let error)?: return (index, nil, error.description)
            case nil: return (index, nil, "rollback failed")
            }
        }
        for (index, marker, failure) in results {
            if let marker {
                markers[session.blobbers[index].blobberID] = marker
                consensus.withLock { $0.rolledBack(index) }
            } else {
                consensus.withLock { $0.rollbackFailed(index, failure ?? "rollback failed") }
            }
        }
        consensus.withLock { $0.finishRollback() }
        try session.home.saveMarkers(markers, for: session.id)
        let state = consensus.withLock { $0 }
        throw .consensusFailed(
            succeeded: rollbackSet.count, required: state.required, failures: session.describe(state.failures))
    }
}

/// The newer of the marker recorded locally and an owner-signed marker the blobber shows: a blobber
/// can show a marker newer than the local record only if this wallet signed it (say, a commit whose
/// answer was lost), never an older one in its place.
func newest(_ local: WriteMarker?, _ shown: WriteMarker?, owner: PublicKey) -> WriteMarker? {
    guard let shown, (try? shown.verifySignature(owner: owner)) != nil else { return local }
    guard let local else { return shown }
    return shown.sequence > local.sequence ? shown : local
}
