import Merkle
public import StorageProtocol

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
                failures: describe(state.failures))
        }
        if injectFaults { await FaultInjection.stagingFinished() }
        var markers = try session.home.loadMarkers(session.id)
        let known = markers
        let previousHeads = Locked<[Int: BlobberHead]>([:])
        let session = self.session
        let injectFaults = self.injectFaults
        // First every blobber's proofs and marker, then the commits: the record can then take in, before
        // anything is committed, every newer owner-signed marker a blobber showed (a commit whose answer
        // was lost, or a killed client's), so its `previous` is always the marker before each commit
        // (what repair's undo needs, docs/PROTOCOL.md 10.8).
        let prepared = Locked<[Int: (marker: WriteMarker, head: BlobberHead, reference: WriteMarker?, changes: [CommitChange])]>([:])
        let prepareOne: @Sendable (Int) async -> Void = { index in
            let blobber = session.blobbers[index]
            do throws(ClientError) {
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
                prepared.withLock { $0[index] = (marker, head, last, changes) }
            } catch {
                consensus.withLock { $0.failed(index, error.description) }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for index in commitSet { group.addTask { await prepareOne(index) } }
        }
        let ready = prepared.withLock { $0 }
        var adopted = false
        for (index, entry) in ready.sorted(by: { $0.key < $1.key }) {
            let id = session.blobbers[index].blobberID
            if let reference = entry.reference, markers[id] != reference {
                markers[id] = reference
                adopted = true
            }
        }
        if adopted { try session.home.saveMarkers(markers, for: session.id) }
        let commitOne: @Sendable (Int) async -> Void = { index in
            guard let entry = ready[index] else { return }
            let blobber = session.blobbers[index]
            do throws(ClientError) {
                let answer = try await blobber.commit(CommitRequest(changes: entry.changes, marker: entry.marker))
                if injectFaults { FaultInjection.committed() }
                guard answer.allocationRoot == entry.marker.allocationRoot, answer.sequence == entry.marker.sequence
                else {
                    throw ClientError.badAnswer(
                        blobber: blobber.blobberID, reason: "commit answered another root or sequence")
                }
                previousHeads.withLock { $0[index] = entry.head }
                consensus.withLock { $0.committed(index, marker: entry.marker) }
            } catch {
                consensus.withLock { $0.failed(index, error.description) }
            }
        }
        let commitOrder = commitSet.filter { ready[$0] != nil }
        if injectFaults && FaultInjection.sequential {
            for index in commitOrder { await commitOne(index) }
        } else {
            await withTaskGroup(of: Void.self) { group in
                for index in commitOrder { group.addTask { await commitOne(index) } }
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
            throw .consensusFailed(succeeded: 0, required: state.required, failures: describe(state.failures))
        }
        let heads = previousHeads.withLock { $0 }
        if injectFaults { FaultInjection.rollbackStarting() }
        let rollbackOne: @Sendable (Int) async -> (Int, WriteMarker?, String?)? = { index in
            guard case .committed(let committed) = consensus.withLock({ $0.outcomes[index] }),
                let previous = heads[index]
            else { return nil }
            let marker = session.planner.rollbackMarker(undoing: committed, previous: previous, now: Clock.nowMillis)
            // Assigned, not returned, inside `do throws` (see AllocationStatus.gather).
            let failure: String?
            do throws(ClientError) {
                _ = try await session.blobbers[index].rollback(marker)
                failure = nil
            } catch {
                failure = error.description
            }
            if injectFaults { FaultInjection.rolledBack() }
            return (index, failure == nil ? marker : nil, failure)
        }
        var results: [(Int, WriteMarker?, String?)] = []
        if injectFaults && FaultInjection.sequential {
            for index in rollbackSet { if let result = await rollbackOne(index) { results.append(result) } }
        } else {
            results = await withTaskGroup(of: (Int, WriteMarker?, String?)?.self) { group in
                for index in rollbackSet { group.addTask { await rollbackOne(index) } }
                var out: [(Int, WriteMarker?, String?)] = []
                for await case let result? in group { out.append(result) }
                return out
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
            succeeded: rollbackSet.count, required: state.required, failures: describe(state.failures))
    }

    func describe(_ failures: [(index: Int, reason: String)]) -> [String] {
        failures.map { "blobber \($0.index) (\(session.blobbers[$0.index].blobberID.short)): \($0.reason)" }
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
