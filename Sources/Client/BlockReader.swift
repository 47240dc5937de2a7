import Erasure
import Merkle
import NIOCore
import StorageProtocol

/// Reads runs of stripes from the `k` best blobbers of a file: verifies every block against the
/// blobber's shard root, hedges a slow request to a spare blobber, drops a blobber that errs or lies,
/// and rebuilds missing data blocks from parity.
struct BlockReader: Sendable {
    let session: AllocationSession
    let path: String
    let hedgeAfter: Duration
    /// Blobber index → its verified entry.
    let entries: [Int: FileEntry]
    /// Smoothed request time per blobber index (seconds); lower is better.
    var speed: [Int: Double]
    var dropped: Set<Int> = []
    var used: Set<Int> = []
    var hedges = 0
    var failures: [String: String]

    init(
        session: AllocationSession, path: String, sources: [Downloader.Source], hedgeAfter: Duration,
        failures: [String: String]
    ) {
        self.session = session
        self.path = path
        self.hedgeAfter = hedgeAfter
        self.entries = Dictionary(uniqueKeysWithValues: sources.map { ($0.index, $0.entry) })
        self.speed = Dictionary(uniqueKeysWithValues: sources.map { ($0.index, $0.latency.seconds) })
        self.failures = failures
    }

    /// Candidates best first: by measured time, a parity shard counting 1.5× slower (data shards
    /// need no decoding).
    var ranked: [Int] {
        entries.keys.filter { !dropped.contains($0) }.sorted { a, b in
            let sa = (speed[a] ?? 1) * (a < session.dataShards ? 1 : 1.5)
            let sb = (speed[b] ?? 1) * (b < session.dataShards ? 1 : 1.5)
            return sa != sb ? sa < sb : a < b
        }
    }

    enum Event: Sendable {
        case fetched(index: Int, result: Result<ByteBuffer, ClientError>, seconds: Double)
        case tick
    }

    /// Stripes `blocks` of the file, laid end to end (`count × k × 64 KiB` bytes, padding included).
    mutating func read(blocks: Range<Int>) async throws(ClientError) -> [UInt8] {
        let k = session.dataShards
        var got: [Int: ByteBuffer] = [:]
        var ranking = ranked
        guard ranking.count >= k else { throw tooFew() }
        let hedgeAfter = self.hedgeAfter
        let session = self.session
        let path = self.path
        let entries = self.entries
        var events: [Event] = []
        // One round: k requests; a failure starts the next candidate, a tick with requests still out
        // starts a spare; done when k verified answers are in.
        let outcome: Result<[Int: ByteBuffer], ClientError> = await withTaskGroup(of: Event.self) { group in
            var inflight: Set<Int> = []
            var next = 0
            func launch() -> Bool {
                guard next < ranking.count else { return false }
                let index = ranking[next]
                next += 1
                inflight.insert(index)
                group.addTask {
                    let clock = ContinuousClock()
                    let start = clock.now
                    let blobber = session.blobbers[index]
                    // Assigned, not returned, inside `do throws` (see AllocationStatus.gather).
                    let result: Result<ByteBuffer, ClientError>
                    do throws(ClientError) {
                        let range = try await blobber.blocks(path: path, start: blocks.lowerBound, count: blocks.count)
                        let entry = entries[index]!
                        guard range.shardRoot == entry.shardRoot, range.proof.leafCount == Int(entry.blockCount),
                            range.bytes.readableBytes == blocks.count * ShardTree.blockSize
                        else {
                            throw ClientError.badAnswer(
                                blobber: blobber.blobberID, reason: "blocks of another shard or length")
                        }
                        let failure: ShardProofError? = range.bytes.withUnsafeReadableBytes { raw in
                            let failure: ShardProofError?
                            do throws(ShardProofError) {
                                try range.proof.verify(concatenatedBlocks: raw, against: entry.shardRoot)
                                failure = nil
                            } catch { failure = error }
                            return failure
                        }
                        if let failure {
                            throw ClientError.badAnswer(
                                blobber: blobber.blobberID, reason: "returned blocks that do not verify: \(failure)")
                        }
                        result = .success(range.bytes)
                    } catch {
                        result = .failure(error)
                    }
                    return .fetched(index: index, result: result, seconds: (clock.now - start).seconds)
                }
                return true
            }
            for _ in 0..<k { _ = launch() }
            var ticking = false
            while got.count < k {
                guard let event = await group.next() else { break }
                events.append(event)
                switch event {
                case .fetched(let index, .success(let bytes), _):
                    inflight.remove(index)
                    got[index] = bytes
                    // The others of the round are done: wait a little for the stragglers, then hedge.
                    if got.count < k, !ticking, got.count + inflight.count >= k {
                        ticking = true
                        group.addTask {
                            try? await Task.sleep(for: hedgeAfter)
                            return .tick
                        }
                    }
                case .fetched(let index, .failure, _):
                    inflight.remove(index)
                    if got.count + inflight.count < k, !launch(), inflight.isEmpty { break }
                case .tick:
                    ticking = false
                    if got.count < k, !inflight.isEmpty, launch() {
                        hedges += 1
                    }
                    if got.count < k, !inflight.isEmpty {
                        ticking = true
                        group.addTask {
                            try? await Task.sleep(for: hedgeAfter)
                            return .tick
                        }
                    }
                }
                if got.count < k, inflight.isEmpty, next >= ranking.count { break }
            }
            group.cancelAll()
            return got.count >= k
                ? .success(got) : .failure(.tooFewGoodBlobbers(path: path, good: got.count, required: k, failures: []))
        }
        for event in events {
            guard case .fetched(let index, let result, let seconds) = event else { continue }
            switch result {
            case .success:
                speed[index] = 0.7 * (speed[index] ?? seconds) + 0.3 * seconds
                used.insert(index)
            case .failure(let error):
                dropped.insert(index)
                failures[session.blobbers[index].blobberID.hex] = error.description
            }
        }
        // A request still out when k answers arrived was slow: rank it by how long it had been waiting.
        guard case .success(let shards) = outcome else { throw tooFew() }
        ranking = []
        return try assemble(shards, blocks: blocks.count)
    }

    func tooFew() -> ClientError {
        .tooFewGoodBlobbers(
            path: path, good: entries.count - dropped.count, required: session.dataShards,
            failures: failures.map { "\($0.key.prefix(12)): \($0.value)" }.sorted())
    }

    /// Lays the stripes out from `k` verified shard runs, decoding missing data blocks.
    func assemble(_ shards: [Int: ByteBuffer], blocks count: Int) throws(ClientError) -> [UInt8] {
        let k = session.dataShards
        let block = ShardTree.blockSize
        let present = shards.keys.sorted().prefix(k)
        let missingData = (0..<k).filter { shards[$0] == nil }
        var out = [UInt8](repeating: 0, count: count * k * block)
        var rebuilt = [Int: [UInt8]]()
        for index in missingData { rebuilt[index] = [UInt8](repeating: 0, count: count * block) }
        if !missingData.isEmpty {
            let arrays = present.map { Array(shards[$0]!.readableBytesView) }
            var missing = rebuilt
            let failure: ClientError? = withUnsafeBuffers(arrays) { inputs in
                withMutableBuffers(&missing, order: missingData) { outputs in
                    for b in 0..<count {
                        var presentPointers: [Int: UnsafeRawBufferPointer] = [:]
                        for (slot, index) in present.enumerated() {
                            presentPointers[index] = UnsafeRawBufferPointer(
                                rebasing: inputs[slot][(b * block)..<((b + 1) * block)])
                        }
                        var missingPointers: [Int: UnsafeMutableRawBufferPointer] = [:]
                        for (slot, index) in missingData.enumerated() {
                            missingPointers[index] = UnsafeMutableRawBufferPointer(
                                rebasing: outputs[slot][(b * block)..<((b + 1) * block)])
                        }
                        do {
                            try session.coder.reconstruct(present: presentPointers, missing: missingPointers)
                        } catch {
                            return ClientError.integrity(path: path, reason: "reconstruction failed: \(error)")
                        }
                    }
                    return nil
                }
            }
            if let failure { throw failure }
            rebuilt = missing
        }
        out.withUnsafeMutableBytes { raw in
            for j in 0..<k {
                let place = { (bytes: UnsafeRawBufferPointer) in
                    for b in 0..<count {
                        let target = (b * k + j) * block
                        UnsafeMutableRawBufferPointer(rebasing: raw[target..<(target + block)])
                            .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[(b * block)..<((b + 1) * block)]))
                    }
                }
                if let buffer = shards[j] {
                    buffer.withUnsafeReadableBytes(place)
                } else {
                    rebuilt[j]!.withUnsafeBytes(place)
                }
            }
        }
        return out
    }
}

func withUnsafeBuffers<R>(_ arrays: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
    var buffers: [UnsafeRawBufferPointer] = []
    func nest(_ index: Int) -> R {
        guard index < arrays.count else { return body(buffers) }
        return arrays[index].withUnsafeBytes { bytes in
            buffers.append(bytes)
            return nest(index + 1)
        }
    }
    return nest(0)
}

/// Stable mutable pointers to `dictionary[key]` for every key of `order`, in that order.
func withMutableBuffers<R>(
    _ dictionary: inout [Int: [UInt8]], order: [Int], _ body: ([UnsafeMutableRawBufferPointer]) -> R
) -> R {
    var storage = order.map { dictionary[$0]! }
    let pointers = storage.indices.map { index in
        UnsafeMutableRawBufferPointer.allocate(byteCount: storage[index].count, alignment: 64)
    }
    defer { pointers.forEach { $0.deallocate() } }
    let result = body(pointers)
    for (slot, key) in order.enumerated() {
        storage[slot] = Array(pointers[slot])
        dictionary[key] = storage[slot]
    }
    return result
}
