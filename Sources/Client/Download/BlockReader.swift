import AsyncHTTPClient
import Erasure
import Merkle
import NIOCore
import StorageProtocol

/// Reads runs of stripes from the `k` best blobbers of a file: verifies every block against the
/// blobber's shard root, hedges a slow request to a spare blobber, drops a blobber that errs, stalls or
/// lies, and rebuilds missing data blocks from parity. Several runs may be read at once; what the
/// reader learns of the blobbers (speed, failures) is shared between them.
final class BlockReader: Sendable {
    let session: AllocationSession
    let path: String
    let hedgeAfter: Duration
    /// A request that has not finished this long after it started counts as failed.
    let requestTimeout: Duration
    /// One blobber's verified view of the file, and how fast it answered.
    struct Source: Sendable {
        var index: Int
        var entry: FileEntry
        var latency: Duration
        /// For a reader: the entry's capsule as this blobber transformed it for the ticket, if it could.
        var capsule: TransformedCapsule? = nil
    }

    /// Blobber index → its verified entry.
    let entries: [Int: FileEntry]
    private let state: Locked<State>

    struct State: Sendable {
        /// Smoothed request time per blobber index (seconds); lower is better.
        var speed: [Int: Double]
        var dropped: Set<Int> = []
        var used: Set<Int> = []
        var hedges = 0
        var failures: [String: String]
    }

    init(
        session: AllocationSession, path: String, sources: [Source], hedgeAfter: Duration,
        requestTimeout: Duration = .seconds(30), failures: [String: String]
    ) {
        self.session = session
        self.path = path
        self.hedgeAfter = hedgeAfter
        self.requestTimeout = requestTimeout
        self.entries = Dictionary(uniqueKeysWithValues: sources.map { ($0.index, $0.entry) })
        self.state = Locked(
            State(
                speed: Dictionary(uniqueKeysWithValues: sources.map { ($0.index, $0.latency.seconds) }),
                failures: failures))
    }

    var used: Set<Int> { state.withLock { $0.used } }
    var hedges: Int { state.withLock { $0.hedges } }
    var failures: [String: String] { state.withLock { $0.failures } }

    /// Candidates best first: by measured time, a parity shard counting 1.5× slower (data shards
    /// need no decoding).
    var ranked: [Int] {
        let (speed, dropped) = state.withLock { ($0.speed, $0.dropped) }
        return entries.keys.filter { !dropped.contains($0) }.sorted { a, b in
            let sa = (speed[a] ?? 1) * (a < session.dataShards ? 1 : 1.5)
            let sb = (speed[b] ?? 1) * (b < session.dataShards ? 1 : 1.5)
            return sa != sb ? sa < sb : a < b
        }
    }

    enum Event: Sendable {
        case fetched(index: Int, failure: ClientError?, seconds: Double)
        case tick
    }

    /// Reads `stripes` of the file into `window`, every block verified, missing data blocks rebuilt.
    func read(stripes: Range<Int>, into window: StripeWindow) async throws(ClientError) {
        window.reset(stripes: stripes)
        let k = session.dataShards
        let ranking = ranked
        guard ranking.count >= k else { throw tooFew() }
        let hedgeAfter = self.hedgeAfter
        let requestTimeout = self.requestTimeout
        let session = self.session
        let path = self.path
        let entries = self.entries
        let clock = ContinuousClock()
        // One round: k requests; a failure or a stalled request starts the next candidate; once one
        // answer is in, each tick with requests still out starts a spare; done with k verified answers.
        // Leaving the group cancels and waits for the requests still out, so nothing writes into the
        // window after this returns.
        // Not `onBlobbers`: the set of blobbers asked grows while the round runs (hedges, replacements),
        // and the round ends at `k` good answers without waiting for the rest.
        let (good, events, hedged) = await withTaskGroup(of: Event.self) { group in
            var good: Set<Int> = []
            var events: [Event] = []
            var hedged = 0
            var inflight: [Int: ContinuousClock.Instant] = [:]
            var next = 0
            var firstAnswer: ContinuousClock.Instant?
            func launch() -> Bool {
                guard next < ranking.count else { return false }
                let index = ranking[next]
                next += 1
                let slots = window.slots(shard: index)
                inflight[index] = clock.now
                group.addTask {
                    let start = clock.now
                    let failure = await Self.fetch(
                        session.blobbers[index], path: path, entry: entries[index]!, stripes: stripes, into: slots)
                    return .fetched(index: index, failure: failure, seconds: (clock.now - start).seconds)
                }
                return true
            }
            for _ in 0..<k { _ = launch() }
            group.addTask {
                try? await Task.sleep(for: hedgeAfter)
                return .tick
            }
            while good.count < k {
                guard let event = await group.next() else { break }
                switch event {
                case .fetched(let index, let failure, _):
                    // A request given up on (stalled) already counted as failed.
                    guard inflight.removeValue(forKey: index) != nil else { continue }
                    events.append(event)
                    if failure == nil {
                        good.insert(index)
                        if firstAnswer == nil { firstAnswer = clock.now }
                    } else if good.count + inflight.count < k {
                        _ = launch()
                    }
                case .tick:
                    let now = clock.now
                    for (index, start) in inflight where now - start > requestTimeout {
                        inflight[index] = nil
                        let blobber = session.blobbers[index].blobberID
                        let failure = ClientError.blobberUnreachable(
                            blobber: blobber, reason: "no complete answer within \(requestTimeout)")
                        events.append(.fetched(index: index, failure: failure, seconds: (now - start).seconds))
                        if good.count + inflight.count < k { _ = launch() }
                    }
                    if let firstAnswer, now - firstAnswer >= hedgeAfter, !inflight.isEmpty, launch() {
                        hedged += 1
                    }
                    group.addTask {
                        try? await Task.sleep(for: hedgeAfter)
                        return .tick
                    }
                }
                if good.count < k, inflight.isEmpty, next >= ranking.count { break }
            }
            group.cancelAll()
            return (good, events, hedged)
        }
        state.withLock { state in
            state.hedges += hedged
            for event in events {
                guard case .fetched(let index, let failure, let seconds) = event else { continue }
                if let failure {
                    state.dropped.insert(index)
                    state.failures[session.blobbers[index].blobberID.hex] = failure.detail
                } else {
                    state.speed[index] = 0.7 * (state.speed[index] ?? seconds) + 0.3 * seconds
                    state.used.insert(index)
                }
            }
        }
        guard good.count >= k else { throw tooFew() }
        try rebuildMissingData(in: window, from: good)
    }

    /// One blobber's blocks of `stripes`, placed into `slots` and verified against its shard root; nil
    /// when they verified, else why not.
    static func fetch(
        _ blobber: BlobberClient, path: String, entry: FileEntry, stripes: Range<Int>, into slots: BlockSlots
    ) async -> ClientError? {
        let failure: ClientError?
        do {
            let stream = try await blobber.openBlocks(path: path, start: stripes.lowerBound, count: stripes.count)
            guard stream.shardRoot == entry.shardRoot, stream.proof.leafCount == Int(entry.blockCount) else {
                throw ClientError.badAnswer(blobber: blobber.blobberID, reason: "blocks of another shard")
            }
            var filler = BlockFiller(slots: slots, count: stripes.count)
            do {
                for try await chunk in stream.body {
                    try Task.checkCancellation()
                    guard filler.take(chunk) else {
                        throw ClientError.badAnswer(blobber: blobber.blobberID, reason: "more bytes than asked for")
                    }
                }
            } catch let error as ClientError {
                throw error
            } catch {
                throw ClientError.blobberUnreachable(
                    blobber: blobber.blobberID, reason: "reading blocks failed: \(NetworkFailure.explain(error))")
            }
            guard filler.isComplete else {
                throw ClientError.badAnswer(
                    blobber: blobber.blobberID,
                    reason: "the answer ended after \(filler.received) of \(filler.expected) bytes")
            }
            do {
                try stream.proof.verify(leafHashes: filler.leaves, against: entry.shardRoot)
            } catch {
                throw ClientError.badAnswer(
                    blobber: blobber.blobberID, reason: "returned blocks that do not verify: \(error)")
            }
            failure = nil
        } catch let error as ClientError {
            failure = error
        } catch {
            failure = .blobberUnreachable(
                blobber: blobber.blobberID, reason: "reading blocks failed: \(NetworkFailure.explain(error))")
        }
        return failure
    }

    func tooFew() -> ClientError {
        let (dropped, failures) = state.withLock { ($0.dropped, $0.failures) }
        return .tooFewGoodBlobbers(
            path: path, good: entries.count - dropped.count, required: session.dataShards,
            failures: failures.map { "\(session.label(of: $0.key)): \($0.value)" }.sorted())
    }

    /// Decodes the data blocks no good answer supplied, block by block, from `k` verified shards
    /// (data shards first).
    func rebuildMissingData(in window: StripeWindow, from good: Set<Int>) throws(ClientError) {
        let k = session.dataShards
        let missing = (0..<k).filter { !good.contains($0) }
        guard !missing.isEmpty else { return }
        let present = good.sorted().prefix(k)
        let sources = present.map { ($0, window.slots(shard: $0)) }
        let targets = missing.map { ($0, window.slots(shard: $0)) }
        for b in 0..<window.count {
            var inputs: [Int: UnsafeRawBufferPointer] = [:]
            for (index, slots) in sources { inputs[index] = UnsafeRawBufferPointer(slots.block(b)) }
            var outputs: [Int: UnsafeMutableRawBufferPointer] = [:]
            for (index, slots) in targets { outputs[index] = slots.block(b) }
            do {
                try session.coder.reconstruct(present: inputs, missing: outputs)
            } catch {
                throw .integrity(path: path, reason: "reconstruction failed: \(error)")
            }
        }
    }
}
