import Erasure
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Merkle
import NIOCore
public import StorageProtocol

/// Reads a file back (DESIGN.md "Reads"; docs/PROTOCOL.md section 10 "Downloads"): asks every blobber for
/// the file's entry and times the answers, reads blocks from the `k` fastest (data shards preferred),
/// verifies every block against the shard root whose trie proof is verified against the root of the
/// last marker the owner signed, hedges a slow blobber to the next, and drops one that returns bad bytes.
public struct Downloader: Sendable {
    public let session: AllocationSession
    /// Stripes per run: each of the `k` blobbers reading a run sends this many blocks in one answer.
    public var stripesPerRun = 16
    /// Runs read at once; each holds `stripesPerRun × k × 64 KiB` in memory (4 MiB for 4+2).
    public var runsInFlight = 4
    /// A request still running this long after the others of its round finished is hedged.
    public var hedgeAfter: Duration = .milliseconds(60)
    /// The ticket when reading someone else's files: it carries the keys of encrypted ones.
    public var ticket: TicketBundle?

    public init(session: AllocationSession, ticket: TicketBundle? = nil) {
        self.session = session
        self.ticket = ticket
    }

    public struct Report: Sendable, Codable {
        public var path: String
        public var bytes: UInt64
        public var seconds: Double
        /// Blobbers (shard index → id) that served blocks.
        public var servedBy: [Int]
        /// Blobbers dropped, with why (bad bytes, errors).
        public var dropped: [String: String]
        /// Requests hedged to another blobber because one was slow.
        public var hedges: Int

        enum CodingKeys: String, CodingKey {
            case path, bytes, seconds, hedges, dropped
            case servedBy = "served_by"
        }
    }

    /// Verified entries from the blobbers that have the file, timed. Every blobber is asked; unless
    /// `waitForAll`, once `k + 1` agree (a spare beyond the `k` to read from) those not answering within
    /// `hedgeAfter` are left out, and `complete` is false.
    func locate(_ path: RemotePath, waitForAll: Bool = false) async throws(ClientError) -> (
        entry: FileEntry, sources: [BlockReader.Source], failures: [String: String], complete: Bool
    ) {
        let owner = session.view.allocation.ownerKey
        let local = session.isOwner ? (try? session.home.loadMarkers(session.id)) ?? SignedMarkers() : SignedMarkers()
        // Not `onEveryBlobber`: the fan-out ends early, once enough blobbers agree and the rest had a grace.
        let results = await withTaskGroup(of: (Int, Result<BlockReader.Source?, ClientError>).self) { group in
            for index in session.blobbers.indices {
                group.addTask {
                    let blobber = session.blobbers[index]
                    let clock = ContinuousClock()
                    let start = clock.now
                    let result = await FanOut.result(at: index) { index throws(ClientError) -> BlockReader.Source? in
                        guard let answer = try await blobber.file(path.string) else { return nil }
                        let latency = clock.now - start
                        try check(answer, from: blobber, for: path, owner: owner, signed: local)
                        return BlockReader.Source(
                            index: index, entry: answer.entry, latency: latency, capsule: answer.capsule)
                    }
                    return (index, result)
                }
            }
            // Once k + 1 blobbers agree on the entry, the rest get `hedgeAfter` more to answer: a
            // blobber slower than that would not be read from unless two others fail, and waiting for
            // it would delay every read.
            var out: [(Int, Result<BlockReader.Source?, ClientError>)] = []
            var agreeing: [Hash: Int] = [:]
            var graceStarted = waitForAll
            let enough = min(session.dataShards + 1, session.blobbers.count)
            let grace = hedgeAfter
            while out.count < session.blobbers.count, let (index, result) = await group.next() {
                if index < 0 { break }
                out.append((index, result))
                if case .success(let source?) = result { agreeing[source.entry.metaHash, default: 0] += 1 }
                if !graceStarted, agreeing.values.contains(where: { $0 >= enough }), out.count < session.blobbers.count {
                    graceStarted = true
                    group.addTask {
                        try? await Task.sleep(for: grace)
                        return (-1, .success(nil))
                    }
                }
            }
            group.cancelAll()
            return out
        }
        var failures: [String: String] = [:]
        var found: [BlockReader.Source] = []
        var absent = 0
        for (index, result) in results {
            switch result {
            case .success(let source?): found.append(source)
            case .success(nil): absent += 1
            case .failure(let error): failures[session.blobbers[index].blobberID.hex] = error.detail
            }
        }
        // The blobbers that agree on the file (same meta hash) and are enough to read it.
        let groups = Dictionary(grouping: found) { $0.entry.metaHash }
        guard let best = groups.values.max(by: { $0.count < $1.count }), best.count >= session.dataShards else {
            if absent >= session.blobbers.count - session.dataShards { throw .remoteNotFound(path: path.string) }
            throw .tooFewGoodBlobbers(
                path: path.string, good: groups.values.map(\.count).max() ?? 0, required: session.dataShards,
                failures: failures.map { "\(session.label(of: $0.key)): \($0.value)" }.sorted())
        }
        for source in found where source.entry.metaHash != best[0].entry.metaHash {
            failures[session.blobbers[source.index].blobberID.hex] = "holds another version of \(path)"
        }
        return (best[0].entry, best, failures, results.count == session.blobbers.count)
    }

    /// Checks one blobber's answer for `path` (docs/PROTOCOL.md section 10.5): a marker the owner
    /// signed for this chain, not older than the one this wallet last signed for the blobber, and an
    /// entry for `path` whose trie proof leads to the marker's root.
    func check(
        _ answer: FileResponse, from blobber: BlobberClient, for path: RemotePath, owner: PublicKey,
        signed local: SignedMarkers
    ) throws(ClientError) {
        guard let marker = answer.marker else {
            throw .badAnswer(blobber: blobber.blobberID, reason: "an entry without a marker")
        }
        do {
            try marker.verifySignature(owner: owner)
        } catch {
            throw .badAnswer(blobber: blobber.blobberID, reason: "marker: \(error)")
        }
        guard marker.allocationID == session.id, marker.blobberID == blobber.blobberID else {
            throw .badAnswer(blobber: blobber.blobberID, reason: "the marker is for another chain")
        }
        if let known = local[blobber.blobberID], marker.sequence < known.sequence {
            throw .blobberDiverged(
                blobber: blobber.blobberID,
                reason: "it shows marker \(marker.sequence), this wallet signed \(known.sequence)")
        }
        guard answer.entry.path == path.string else {
            throw .badAnswer(blobber: blobber.blobberID, reason: "entry for another path")
        }
        do {
            try answer.proof.verifyInclusion(
                key: answer.entry.key, valueHash: answer.entry.entryHash, blocks: answer.entry.blockCount,
                root: marker.allocationRoot)
        } catch {
            throw .badAnswer(blobber: blobber.blobberID, reason: "entry proof: \(error)")
        }
    }

    /// Downloads `path` (or bytes `range` of it) into `localPath`: written to a temporary file and renamed
    /// into place only when every byte verified. A character device or FIFO there (`/dev/stdout`, a
    /// named pipe, also through a symbolic link) is written directly instead; any other symbolic link, a
    /// directory or another special file is refused (`client.local_file`), never written through or
    /// replaced. `progress` hears the bytes written so far and the bytes wanted in all.
    public func download(
        _ path: RemotePath, to localPath: String, range: ClosedRange<UInt64>? = nil,
        progress: (@Sendable (_ written: UInt64, _ total: UInt64) -> Void)? = nil
    ) async throws(ClientError) -> Report {
        switch LocalTarget.of(localPath) {
        case .file: break
        case .device:
            return try await download(path, into: try DescriptorSink(device: localPath), range: range, progress: progress)
        case .refused(let reason): throw .localFile(path: localPath, reason: reason)
        }
        let clock = ContinuousClock()
        let start = clock.now
        var report = try await retryingWithEveryone(path) { located throws(ClientError) in
            try await read(
                path, entry: located.entry, sources: located.sources, failures: located.failures, range: range,
                progress: progress
            ) { () throws(ClientError) in try FileSink(localPath: localPath) }
        }
        report.seconds = (clock.now - start).seconds
        return report
    }

    /// Downloads `path` (or bytes `range` of it) to the open descriptor `fd` (standard output: 1),
    /// streamed in file order, every block verified before it is written; `fd` stays open. Bytes cannot
    /// be taken back from a descriptor: a read that fails midway leaves what was written before.
    public func download(
        _ path: RemotePath, toDescriptor fd: Int32, range: ClosedRange<UInt64>? = nil,
        progress: (@Sendable (_ written: UInt64, _ total: UInt64) -> Void)? = nil
    ) async throws(ClientError) -> Report {
        try await download(
            path, into: DescriptorSink(fd: fd, name: "descriptor \(fd)", owned: false), range: range,
            progress: progress)
    }

    private func download(
        _ path: RemotePath, into sink: DescriptorSink, range: ClosedRange<UInt64>?,
        progress: (@Sendable (UInt64, UInt64) -> Void)?
    ) async throws(ClientError) -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        var report = try await retryingWithEveryone(path) { located throws(ClientError) in
            try await read(
                path, entry: located.entry, sources: located.sources, failures: located.failures, range: range,
                progress: progress
            ) { () throws(ClientError) in sink.restart() }
        }
        report.seconds = (clock.now - start).seconds
        return report
    }

    /// Runs `attempt` on the blobbers `locate` finds for `path`; when it fails for too few good
    /// blobbers and some slow ones were left out, once more with every blobber that answers.
    func retryingWithEveryone<Value>(
        _ path: RemotePath,
        _ attempt: (
            _ located: (entry: FileEntry, sources: [BlockReader.Source], failures: [String: String], complete: Bool)
        ) async throws(ClientError) -> Value
    ) async throws(ClientError) -> Value {
        let located = try await locate(path)
        let first = await FanOut.result(at: 0) { _ throws(ClientError) in try await attempt(located) }
        switch first {
        case .success(let done): return done
        case .failure(let error):
            // Too many of the blobbers read from failed, and some slow ones were left out: try again
            // with every blobber that answers.
            guard case .tooFewGoodBlobbers = error, !located.complete else { throw error }
            return try await attempt(try await locate(path, waitForAll: true))
        }
    }

    /// Reads the file `entry` describes from `sources` into the sink `open` makes once the read is
    /// known to be possible: every byte verified before it is written, the sink finished only when the
    /// whole range verified, discarded otherwise (the report's `seconds` left at 0).
    func read(
        _ path: RemotePath, entry: FileEntry, sources: [BlockReader.Source], failures initialFailures: [String: String],
        range: ClosedRange<UInt64>?, progress: (@Sendable (UInt64, UInt64) -> Void)?,
        into open: () throws(ClientError) -> any ReadSink
    ) async throws(ClientError) -> Report {
        if let problem = entry.shapeProblem(dataShards: session.dataShards) {
            throw .integrity(path: path.string, reason: problem)
        }
        let size = UInt64(entry.size)
        if let range, range.upperBound >= size {
            throw .invalidArgument("range \(range.lowerBound)-\(range.upperBound) is outside the file's \(size) bytes")
        }
        let wanted = range ?? (size == 0 ? 0...0 : 0...(size - 1))
        let total = size == 0 ? 0 : wanted.upperBound - wanted.lowerBound + 1
        let key: StripeKey?
        if entry.encryption.isEmpty {
            key = nil
        } else if let ticketKey = ticket?.key(for: path.string) {
            key = ticketKey
        } else if session.isOwner {
            do { key = try EncryptionHeader(bytes: entry.encryption).unwrap(owner: session.signer) } catch {
                throw .integrity(path: path.string, reason: error.description)
            }
        } else if let opened = Self.openTransformed(entry, sources: sources, reader: session.signer) {
            key = opened
        } else {
            throw .ticket(
                reason:
                    "\(path) is encrypted, the ticket carries no key for it and no blobber transformed its capsule for this ticket (the owner registered no re-encryption key for it, or the file has a version-1 header): ask the owner for a new ticket"
            )
        }
        let k = session.dataShards
        let stripeLength = k * ShardTree.blockSize
        let perStripe = key == nil ? stripeLength : stripeLength - StripeCipher.tagByteCount
        // An empty file is stored as one stripe of padding; there is nothing to read.
        let stripes = size == 0 ? 0..<0 : Int(wanted.lowerBound / UInt64(perStripe))..<Int(wanted.upperBound / UInt64(perStripe)) + 1
        let output = try open()
        let reader = BlockReader(
            session: session, path: path.string, sources: sources, hedgeAfter: hedgeAfter, failures: initialFailures)
        let decryptor = key.map { StripeDecryptor(key: $0) }
        var contentHasher = SHA256()
        let stripesPerRun = self.stripesPerRun
        let runs = stride(from: stripes.lowerBound, to: stripes.upperBound, by: stripesPerRun).map {
            $0..<min($0 + stripesPerRun, stripes.upperBound)
        }
        /// Decrypts a read run, hashes it and writes the wanted part.
        func consume(_ window: StripeWindow) async throws(ClientError) {
            let windowStart = UInt64(window.first) * UInt64(perStripe)
            if decryptor == nil {
                // The run's bytes are the file's bytes: one piece.
                let length = Int(min(UInt64(window.count * stripeLength), size - windowStart))
                let plain = UnsafeRawBufferPointer(rebasing: window.data[0..<length])
                if range == nil { contentHasher.update(plain) }
                try await write(plain, at: windowStart)
                return
            }
            for offset in 0..<window.count {
                let index = window.first + offset
                let plainStart = windowStart + UInt64(offset * perStripe)
                let length = Int(min(UInt64(perStripe), size - plainStart))
                let stripe = window.stripe(offset)
                do {
                    try decryptor!.open(stripe: stripe, plaintextLength: length, index: index)
                } catch {
                    throw .integrity(path: path.string, reason: "stripe \(index): \(error)")
                }
                let plain = UnsafeRawBufferPointer(rebasing: stripe[0..<length])
                if range == nil { contentHasher.update(plain) }
                try await write(plain, at: plainStart)
            }
        }
        /// Writes the part of `plain` (file bytes from `start`) that the wanted range covers.
        func write(_ plain: UnsafeRawBufferPointer, at start: UInt64) async throws(ClientError) {
            let from = max(wanted.lowerBound, start) - start
            let to = min(wanted.upperBound + 1, start + UInt64(plain.count)) - start
            guard from < to else { return }
            try await output.write(UnsafeRawBufferPointer(rebasing: plain[Int(from)..<Int(to)]))
            progress?(output.length, total)
        }
        // `runsInFlight` runs are read at once, each into its own window; they are consumed in order,
        // and a consumed window is handed to the next run, so memory is fixed whatever the file size.
        // Not `onBlobbers`: a pipeline of stripe runs (each run's blobbers are `BlockReader`'s), not a
        // fan-out over blobbers.
        let runsInFlight = max(1, self.runsInFlight)
        do {
            try await withThrowingTaskGroup(of: (Int, StripeWindow, ClientError?).self) { group in
                var nextRun = 0
                func start(_ window: StripeWindow) {
                    let run = nextRun
                    nextRun += 1
                    group.addTask {
                        let read = await FanOut.result(at: run) { run throws(ClientError) in
                            try await reader.read(stripes: runs[run], into: window)
                        }
                        guard case .failure(let failure) = read else { return (run, window, nil) }
                        return (run, window, failure)
                    }
                }
                for _ in 0..<min(runsInFlight, runs.count) {
                    start(StripeWindow(dataShards: k, capacity: stripesPerRun))
                }
                var ready: [Int: StripeWindow] = [:]
                var nextToWrite = 0
                while nextToWrite < runs.count, let (run, window, failure) = try await group.next() {
                    if let failure { throw failure }
                    ready[run] = window
                    while let window = ready.removeValue(forKey: nextToWrite) {
                        try await consume(window)
                        nextToWrite += 1
                        if nextRun < runs.count { start(window) }
                    }
                }
            }
            if range == nil, contentHasher.finalize() != entry.contentHash {
                throw ClientError.integrity(path: path.string, reason: "the content hash does not match the entry")
            }
            try output.finish()
        } catch {
            output.discard()
            if let error = error as? ClientError { throw error }
            throw output.failure(error)
        }
        return Report(
            path: path.string, bytes: output.length, seconds: 0, servedBy: reader.used.sorted(),
            dropped: reader.failures, hedges: reader.hedges)
    }

    /// The file key from the first transformed capsule that opens the entry's version-2 header for
    /// `reader`: a blobber that sends a wrong one cannot make a wrong key pass the header's tag.
    static func openTransformed(_ entry: FileEntry, sources: [BlockReader.Source], reader: SigningKey) -> StripeKey? {
        let header = EncryptionHeader(bytes: entry.encryption)
        for capsule in Set(sources.compactMap(\.capsule)) {
            if let key = try? header.open(transformed: capsule, reader: reader) { return key }
        }
        return nil
    }
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
