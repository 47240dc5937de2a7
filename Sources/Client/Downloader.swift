import Erasure
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
public import Merkle
import NIOCore
public import StorageProtocol

/// Reads a file back (DESIGN.md "Reads"; docs/PROTOCOL.md section 10 "Downloads"): asks every blobber for
/// the file's entry and times the answers, reads blocks from the `k` fastest (data shards preferred),
/// verifies every block against the shard root whose trie proof is verified against the root of the
/// last marker the owner signed, hedges a slow blobber to the next, and drops one that returns bad bytes.
public struct Downloader: Sendable {
    public let session: AllocationSession
    /// Blocks per request per blobber.
    public var blocksPerRequest = 64
    /// A request still running this long after the others of its round finished is hedged.
    public var hedgeAfter: Duration = .milliseconds(60)
    /// The file key when reading someone else's encrypted file with a ticket.
    public var ticketKey: StripeKey?

    public init(session: AllocationSession, ticketKey: StripeKey? = nil) {
        self.session = session
        self.ticketKey = ticketKey
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

    /// One blobber's verified view of the file.
    struct Source: Sendable {
        var index: Int
        var entry: FileEntry
        var latency: Duration
    }

    /// Verified entries from every blobber that has the file, timed.
    func locate(_ path: RemotePath) async throws(ClientError) -> (
        entry: FileEntry, sources: [Source], failures: [String: String]
    ) {
        let owner = session.view.allocation.ownerKey
        let local = session.isOwner ? (try? session.home.loadMarkers(session.id)) ?? SignedMarkers() : SignedMarkers()
        let results = await withTaskGroup(of: (Int, Result<Source?, ClientError>).self) { group in
            for index in session.blobbers.indices {
                group.addTask {
                    let blobber = session.blobbers[index]
                    let clock = ContinuousClock()
                    let start = clock.now
                    // Assigned, not returned, inside `do throws` (see AllocationStatus.gather).
                    let result: Result<Source?, ClientError>
                    do throws(ClientError) {
                        if let answer = try await blobber.file(path.string) {
                            let latency = clock.now - start
                            guard let marker = answer.marker else {
                                throw ClientError.badAnswer(blobber: blobber.blobberID, reason: "an entry without a marker")
                            }
                            do {
                                try marker.verifySignature(owner: owner)
                            } catch {
                                throw ClientError.badAnswer(blobber: blobber.blobberID, reason: "marker: \(error)")
                            }
                            guard marker.allocationID == session.id, marker.blobberID == blobber.blobberID else {
                                throw ClientError.badAnswer(
                                    blobber: blobber.blobberID, reason: "the marker is for another chain")
                            }
                            if let known = local[blobber.blobberID], marker.sequence < known.sequence {
                                throw ClientError.blobberDiverged(
                                    blobber: blobber.blobberID,
                                    reason: "it shows marker \(marker.sequence), this wallet signed \(known.sequence)")
                            }
                            guard answer.entry.path == path.string else {
                                throw ClientError.badAnswer(blobber: blobber.blobberID, reason: "entry for another path")
                            }
                            do {
                                try answer.proof.verifyInclusion(
                                    key: answer.entry.key, valueHash: answer.entry.entryHash,
                                    blocks: answer.entry.blockCount,
                                    root: marker.allocationRoot)
                            } catch {
                                throw ClientError.badAnswer(blobber: blobber.blobberID, reason: "entry proof: \(error)")
                            }
                            result = .success(Source(index: index, entry: answer.entry, latency: latency))
                        } else {
                            result = .success(nil)
                        }
                    } catch {
                        result = .failure(error)
                    }
                    return (index, result)
                }
            }
            var out: [(Int, Result<Source?, ClientError>)] = []
            for await result in group { out.append(result) }
            return out
        }
        var failures: [String: String] = [:]
        var found: [Source] = []
        var absent = 0
        for (index, result) in results {
            switch result {
            case .success(let source?): found.append(source)
            case .success(nil): absent += 1
            case .failure(let error): failures[session.blobbers[index].blobberID.hex] = error.description
            }
        }
        // The blobbers that agree on the file (same meta hash) and are enough to read it.
        let groups = Dictionary(grouping: found) { $0.entry.metaHash }
        guard let best = groups.values.max(by: { $0.count < $1.count }), best.count >= session.dataShards else {
            if absent >= session.blobbers.count - session.dataShards { throw .remoteNotFound(path: path.string) }
            throw .tooFewGoodBlobbers(
                path: path.string, good: groups.values.map(\.count).max() ?? 0, required: session.dataShards,
                failures: failures.map { "\($0.key.prefix(12)): \($0.value)" }.sorted())
        }
        for source in found where source.entry.metaHash != best[0].entry.metaHash {
            failures[session.blobbers[source.index].blobberID.hex] = "holds another version of \(path)"
        }
        return (best[0].entry, best, failures)
    }

    /// Downloads `path` (or bytes `range` of it) into `localPath`: written to a temporary file and renamed
    /// into place only when every byte verified.
    public func download(_ path: RemotePath, to localPath: String, range: ClosedRange<UInt64>? = nil)
        async throws(ClientError) -> Report
    {
        let clock = ContinuousClock()
        let start = clock.now
        let (entry, sources, initialFailures) = try await locate(path)
        let size = UInt64(entry.size)
        if let range, range.upperBound >= size {
            throw .invalidArgument("range \(range.lowerBound)-\(range.upperBound) is outside the file's \(size) bytes")
        }
        let wanted = range ?? (size == 0 ? 0...0 : 0...(size - 1))
        let key: StripeKey?
        if entry.encryption.isEmpty {
            key = nil
        } else if let ticketKey {
            key = ticketKey
        } else if session.isOwner {
            do { key = try EncryptionHeader(bytes: entry.encryption).unwrap(owner: session.signer) } catch {
                throw .integrity(path: path.string, reason: error.description)
            }
        } else {
            throw .ticket(reason: "\(path) is encrypted and the ticket carries no file key")
        }
        let k = session.dataShards
        let stripeLength = k * ShardTree.blockSize
        let perStripe = key == nil ? stripeLength : stripeLength - StripeCipher.tagByteCount
        let firstStripe = Int(wanted.lowerBound / UInt64(perStripe))
        let lastStripe = Int(wanted.upperBound / UInt64(perStripe))
        let partial = localPath + ".blob-partial"
        _ = FileManager.default.createFile(atPath: partial, contents: nil)
        guard let output = FileHandle(forWritingAtPath: partial) else {
            throw .localFile(path: partial, reason: "cannot create")
        }
        let initialReader = BlockReader(
            session: session, path: path.string, sources: sources, hedgeAfter: hedgeAfter, failures: initialFailures)
        let decryptor = key.map { StripeDecryptor(key: $0) }
        var contentHasher = SHA256()
        var written: UInt64 = 0
        // The next run is fetched and verified while this one is decrypted, hashed and written.
        let runs = BoundedChannel<Run>(capacity: 1)
        let finalReader = Locked<BlockReader?>(nil)
        let readFailure = Locked<ClientError?>(nil)
        let blocksPerRequest = self.blocksPerRequest
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var reader = initialReader
                    var stripe = firstStripe
                    do throws(ClientError) {
                        while stripe <= lastStripe {
                            let count = min(blocksPerRequest, lastStripe - stripe + 1)
                            let bytes = try await reader.read(blocks: stripe..<(stripe + count))
                            guard await runs.send(Run(first: stripe, count: count, bytes: bytes)) else { break }
                            stripe += count
                        }
                    } catch {
                        readFailure.withLock { $0 = error }
                    }
                    finalReader.withLock { $0 = reader }
                    runs.finish()
                }
                for await run in runs {
                    var stripes = run.bytes
                    for offset in 0..<run.count {
                        let index = run.first + offset
                        let plainStart = UInt64(index) * UInt64(perStripe)
                        let length = Int(min(UInt64(perStripe), size - plainStart))
                        let failure: ClientError? = stripes.withUnsafeMutableBytes { raw -> ClientError? in
                            let stripeBytes = UnsafeMutableRawBufferPointer(
                                rebasing: raw[(offset * stripeLength)..<((offset + 1) * stripeLength)])
                            if let decryptor {
                                do {
                                    try decryptor.open(stripe: stripeBytes, plaintextLength: length, index: index)
                                } catch {
                                    return .integrity(path: path.string, reason: "stripe \(index): \(error)")
                                }
                            }
                            let plain = UnsafeRawBufferPointer(rebasing: stripeBytes[0..<length])
                            if range == nil { contentHasher.update(plain) }
                            let from = max(wanted.lowerBound, plainStart) - plainStart
                            let to = min(wanted.upperBound + 1, plainStart + UInt64(length)) - plainStart
                            if from < to {
                                let piece = UnsafeRawBufferPointer(rebasing: plain[Int(from)..<Int(to)])
                                var done = 0
                                while done < piece.count {
                                    let wrote = Glibc.write(
                                        output.fileDescriptor, piece.baseAddress! + done, piece.count - done)
                                    if wrote < 0 {
                                        if errno == EINTR { continue }
                                        return .localFile(path: partial, reason: String(cString: strerror(errno)))
                                    }
                                    done += wrote
                                }
                                written += to - from
                            }
                            return nil
                        }
                        if let failure {
                            runs.cancel()
                            throw failure
                        }
                    }
                }
                try await group.waitForAll()
            }
            if let failure = readFailure.withLock({ $0 }) { throw failure }
            let computedHash = contentHasher.finalize()
            if range == nil, computedHash != entry.contentHash {
                throw ClientError.integrity(path: path.string, reason: "the content hash does not match the entry")
            }
            try output.synchronize()
            try output.close()
        } catch {
            try? output.close()
            try? FileManager.default.removeItem(atPath: partial)
            if let error = error as? ClientError { throw error }
            throw .localFile(path: localPath, reason: "\(error)")
        }
        let reader = finalReader.withLock { $0 } ?? initialReader
        guard rename(partial, localPath) == 0 else {
            try? FileManager.default.removeItem(atPath: partial)
            throw .localFile(path: localPath, reason: String(cString: strerror(errno)))
        }
        return Report(
            path: path.string, bytes: written, seconds: (clock.now - start).seconds, servedBy: reader.used.sorted(),
            dropped: reader.failures, hedges: reader.hedges)
    }
}

/// A run of stripes read and verified, laid end to end.
struct Run: Sendable {
    var first: Int
    var count: Int
    var bytes: [UInt8]
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
