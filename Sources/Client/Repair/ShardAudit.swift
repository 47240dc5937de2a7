import AsyncHTTPClient
import Foundation
public import Merkle
import NIOCore
import StorageProtocol

/// Reads blocks of one blobber's shard of a file with their range proofs and checks them against the
/// shard root in the file's entry, which the owner signed (through the allocation trie) — so a blobber
/// that lost, truncated or flipped bytes on disk is found without downloading the file. Each run of
/// blocks is hashed as it arrives (nothing is kept), and a run that does not verify is narrowed to the
/// blocks at fault by asking for them one at a time.
public struct ShardAudit: Sendable {
    /// What one blobber's shard of one file showed.
    public struct Finding: Sendable, Codable, Hashable {
        public var path: String
        public var shardIndex: Int
        /// Blocks read and verified.
        public var verifiedBlocks: Int
        /// Blocks whose bytes did not verify, or that the blobber could not serve.
        public var damagedBlocks: [Int]
        /// Why, for a shard with damage (the first reason seen); nil when it verified.
        public var problem: String?
        /// The blobber could not be asked (unreachable): nothing is known about its shard.
        public var unreachable: Bool

        public var isDamaged: Bool { !damagedBlocks.isEmpty }

        enum CodingKeys: String, CodingKey {
            case path, problem, unreachable
            case shardIndex = "shard_index"
            case verifiedBlocks = "verified_blocks"
            case damagedBlocks = "damaged_blocks"
        }
    }

    /// Blocks per request when a whole shard is read.
    public var blocksPerRequest = 64

    public init() {}

    /// Reads `blocks` (every block when nil) of `blobber`'s shard of `entry` and verifies them.
    public func audit(
        _ blobber: BlobberClient, shardIndex: Int, entry: FileEntry, blocks: [Int]? = nil
    ) async -> Finding {
        var finding = Finding(
            path: entry.path, shardIndex: shardIndex, verifiedBlocks: 0, damagedBlocks: [], problem: nil,
            unreachable: false)
        let count = Int(clamping: entry.blockCount)
        let runs: [Range<Int>]
        if let blocks {
            runs = Set(blocks.filter { $0 >= 0 && $0 < count }).sorted().map { $0..<($0 + 1) }
        } else {
            runs = stride(from: 0, to: count, by: blocksPerRequest).map { $0..<min(count, $0 + blocksPerRequest) }
        }
        for run in runs {
            switch await check(blobber, entry: entry, run: run) {
            case .verified:
                finding.verifiedBlocks += run.count
            case .unreachable(let reason):
                finding.unreachable = true
                finding.problem = finding.problem ?? reason
                return finding
            case .damaged(let reason):
                finding.problem = finding.problem ?? reason
                if run.count == 1 {
                    finding.damagedBlocks.append(run.lowerBound)
                    continue
                }
                // Narrow the run down to its bad blocks.
                for block in run {
                    switch await check(blobber, entry: entry, run: block..<(block + 1)) {
                    case .verified: finding.verifiedBlocks += 1
                    case .damaged: finding.damagedBlocks.append(block)
                    case .unreachable(let reason):
                        finding.unreachable = true
                        finding.problem = reason
                        return finding
                    }
                }
            }
        }
        return finding
    }

    enum RunResult {
        case verified
        case damaged(String)
        case unreachable(String)
    }

    /// One request for `run`: its bytes hashed as they arrive, then the range proof checked.
    func check(_ blobber: BlobberClient, entry: FileEntry, run: Range<Int>) async -> RunResult {
        let stream: BlockStream
        do {
            stream = try await blobber.openBlocks(path: entry.path, start: run.lowerBound, count: run.count)
        } catch {
            switch error {
            case .blobberUnreachable(_, let reason): return .unreachable(reason)
            default: return .damaged(error.description)
            }
        }
        guard stream.shardRoot == entry.shardRoot, stream.proof.leafCount == Int(clamping: entry.blockCount) else {
            return .damaged("the blobber serves another shard (root \(stream.shardRoot.hex.prefix(12)))")
        }
        var builder = ShardTreeBuilder()
        let expected = run.count * ShardTree.blockSize
        do {
            for try await chunk in stream.body {
                guard builder.byteCount + chunk.readableBytes <= expected else {
                    return .damaged("more bytes than the \(run.count) blocks asked for")
                }
                chunk.withUnsafeReadableBytes { builder.append($0) }
            }
        } catch {
            return .unreachable("the answer broke off: \(error)")
        }
        guard builder.byteCount == expected else {
            return .damaged("the answer ended after \(builder.byteCount) of \(expected) bytes")
        }
        do {
            try stream.proof.verify(leafHashes: builder.completedLeaves, against: entry.shardRoot)
        } catch {
            return .damaged("blocks \(run.lowerBound)..<\(run.upperBound) do not verify: \(error)")
        }
        return .verified
    }
}
