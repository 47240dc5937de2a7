import Merkle
public import StorageProtocol

/// The commit phase of a write, shared by uploads, deletes and renames: on every blobber the
/// consensus left in, fetch proofs, compute and sign the marker, commit; then data+1 decides, and
/// with fewer than `k + 1` commits every committed blobber is rolled back to its previous root.
/// Every marker signed is recorded in the wallet's home before the method returns.
struct Committer: Sendable {
    let session: AllocationSession

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
        var markers = try session.home.loadMarkers(session.id)
        let known = markers
        let previousHeads = Locked<[Int: BlobberHead]>([:])
        let session = self.session
        await withTaskGroup(of: Void.self) { group in
            for index in commitSet {
                group.addTask {
                    let blobber = session.blobbers[index]
                    do throws(ClientError) {
                        let changes = try await changes(index)
                        let proofs = try await blobber.proofs(paths: Array(Set(changes.flatMap(\.paths))).sorted())
                        let planner = session.planner
                        let last = newest(known[blobber.blobberID], proofs.marker, owner: session.signer.publicKey)
                        let head = try planner.trustedHead(blobber: blobber.blobberID, proofs: proofs, lastSigned: last)
                        let marker = try planner.marker(
                            for: blobber.blobberID, changes: changes, proofs: proofs, head: head, now: now)
                        let answer = try await blobber.commit(CommitRequest(changes: changes, marker: marker))
                        guard answer.allocationRoot == marker.allocationRoot, answer.sequence == marker.sequence else {
                            throw ClientError.badAnswer(
                                blobber: blobber.blobberID, reason: "commit answered another root or sequence")
                        }
                        previousHeads.withLock { $0[index] = head }
                        consensus.withLock { $0.committed(index, marker: marker) }
                    } catch {
                        consensus.withLock { $0.failed(index, error.description) }
                    }
                }
            }
        }
        let rollbackSet = consensus.withLock { $0.finishCommits() }
        for index in consensus.withLock({ $0.committedIndexes }) {
            if case .committed(let marker) = consensus.withLock({ $0.outcomes[index] }) {
                markers[session.blobbers[index].blobberID] = marker
            }
        }
        try session.home.saveMarkers(markers, for: session.id)
        guard !rollbackSet.isEmpty else { return }
        let heads = previousHeads.withLock { $0 }
        let results = await withTaskGroup(of: (Int, WriteMarker?, String?).self) { group in
            for index in rollbackSet {
                guard case .committed(let committed) = consensus.withLock({ $0.outcomes[index] }),
                    let previous = heads[index]
                else { continue }
                group.addTask {
                    let marker = session.planner.rollbackMarker(
                        undoing: committed, previous: previous, now: Clock.nowMillis)
                    // Assigned, not returned, inside `do throws` (see AllocationStatus.gather).
                    let failure: String?
                    do throws(ClientError) {
                        _ = try await session.blobbers[index].rollback(marker)
                        failure = nil
                    } catch {
                        failure = error.description
                    }
                    return (index, failure == nil ? marker : nil, failure)
                }
            }
            var out: [(Int, WriteMarker?, String?)] = []
            for await result in group { out.append(result) }
            return out
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
