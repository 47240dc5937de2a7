import Foundation
public import StorageProtocol
import Synchronization

/// Commits from many concurrent callers, grouped: while one commit is on its way, the batches that
/// arrive wait, and go out together as the next one, one commit per blobber for all of them (a
/// gateway's small writes, a thousand callers at once, cost a few commits rather than a thousand). Each
/// caller's `commit` returns once its own changes are committed on `k + 1` blobbers, or throws.
///
/// - A group holds batches in arrival order up to `maxPaths` paths and `maxGroupBytes` bytes; a batch
///   naming a path an earlier one in the group names waits for the next group, so two writes of one
///   path commit in the order they came.
/// - One caller's bad batch never fails another's: a batch whose bytes cannot be read a second time (a
///   `ByteSource` of a stream) is committed alone, and when a group's commit fails, each of its batches
///   is committed again on its own and answers with its own outcome.
public final class GroupCommitter: Sendable {
    public let client: BlobClient
    public let encrypt: Bool
    public let maxPaths: Int
    public let maxGroupBytes: UInt64

    private struct Waiting {
        var batch: Batch
        var paths: Set<String>
        var bytes: UInt64
        var replayable: Bool
        var continuation: CheckedContinuation<Result<Uploader.Report, ClientError>, Never>
    }

    private struct State {
        var queue: [Waiting] = []
        var draining = false
        var commits = 0
        var batches = 0
    }

    private let state = Mutex(State())

    /// `maxPaths` is capped at what a blobber takes in one request (`ProofsRequest.maxPaths`).
    public init(client: BlobClient, encrypt: Bool = false, maxPaths: Int = 1000, maxGroupBytes: UInt64 = 64 << 20) {
        self.client = client
        self.encrypt = encrypt
        self.maxPaths = min(max(1, maxPaths), ProofsRequest.maxPaths)
        self.maxGroupBytes = maxGroupBytes
    }

    /// Commits made, and batches they carried, since this committer was made.
    public var counts: (commits: Int, batches: Int) { state.withLock { ($0.commits, $0.batches) } }

    /// Commits `batch`, with whatever other callers' batches are waiting at the time. The report is the
    /// group's (its `files` are every file the group wrote).
    @discardableResult
    public func commit(_ batch: Batch) async throws(ClientError) -> Uploader.Report {
        guard !batch.isEmpty else { throw .invalidArgument("the batch holds no changes") }
        var paths = Set<String>()
        for path in batch.uploads.map(\.remotePath) + batch.deletes + batch.renames.flatMap({ [$0.from, $0.to] }) {
            guard paths.insert(path.string).inserted else {
                throw .invalidArgument("\(path) appears twice in one batch")
            }
        }
        let bytes = Self.bytes(of: batch)
        let replayable = batch.uploads.allSatisfy { !$0.localPath.isEmpty || ($0.bytes?.isReplayable ?? false) }
        let result = await withCheckedContinuation { continuation in
            let start = state.withLock { state -> Bool in
                state.queue.append(
                    Waiting(batch: batch, paths: paths, bytes: bytes, replayable: replayable, continuation: continuation))
                if state.draining { return false }
                state.draining = true
                return true
            }
            if start { Task { await self.drain() } }
        }
        return try result.get()
    }

    /// Bytes the batch uploads (a local file's size as it is now; 0 when it cannot be read, which the
    /// upload itself then reports).
    private static func bytes(of batch: Batch) -> UInt64 {
        batch.uploads.reduce(UInt64(0)) { total, item in
            var size: UInt64 = 0
            if let source = item.bytes {
                size = source.size
            } else {
                var info = stat()
                if stat(item.localPath, &info) == 0, info.st_size > 0 { size = UInt64(info.st_size) }
            }
            let (sum, overflow) = total.addingReportingOverflow(size)
            return overflow ? .max : sum
        }
    }

    /// Commits groups until nobody waits.
    private func drain() async {
        while true {
            let group = state.withLock { state -> [Waiting] in
                let taken = Self.nextGroup(&state.queue, maxPaths: maxPaths, maxBytes: maxGroupBytes)
                if taken.isEmpty { state.draining = false }
                return taken
            }
            if group.isEmpty { return }
            await commit(group)
        }
    }

    /// Takes from the front of `queue` the batches of the next group.
    private static func nextGroup(_ queue: inout [Waiting], maxPaths: Int, maxBytes: UInt64) -> [Waiting] {
        guard let first = queue.first else { return [] }
        guard first.replayable else { return [queue.removeFirst()] }
        var taken = [Waiting]()
        var paths = Set<String>()
        var bytes: UInt64 = 0
        var index = 0
        while index < queue.count {
            let next = queue[index]
            let (total, overflow) = bytes.addingReportingOverflow(next.bytes)
            let fits =
                next.replayable && paths.count + next.paths.count <= maxPaths && !overflow && total <= maxBytes
                && paths.isDisjoint(with: next.paths)
            // The first always goes (a batch over the limits alone is one commit, as without grouping).
            if !taken.isEmpty && !fits { break }
            taken.append(next)
            paths.formUnion(next.paths)
            bytes = overflow ? .max : total
            index += 1
        }
        queue.removeFirst(taken.count)
        return taken
    }

    private func commit(_ group: [Waiting]) async {
        var merged = Batch()
        for waiting in group {
            merged.uploads += waiting.batch.uploads
            merged.deletes += waiting.batch.deletes
            merged.renames += waiting.batch.renames
        }
        let outcome: Result<Uploader.Report, ClientError>
        do throws(ClientError) {
            outcome = .success(try await client.commit(merged, encrypt: encrypt))
        } catch {
            outcome = .failure(error)
        }
        state.withLock {
            $0.commits += 1
            $0.batches += group.count
        }
        if case .failure = outcome, group.count > 1 {
            // Which batch failed it is not known: each goes again alone and answers for itself.
            for waiting in group {
                let alone: Result<Uploader.Report, ClientError>
                do throws(ClientError) {
                    alone = .success(try await client.commit(waiting.batch, encrypt: encrypt))
                } catch {
                    alone = .failure(error)
                }
                state.withLock {
                    $0.commits += 1
                    $0.batches += 1
                }
                waiting.continuation.resume(returning: alone)
            }
            return
        }
        for waiting in group { waiting.continuation.resume(returning: outcome) }
    }
}
