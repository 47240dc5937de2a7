import Logging
import Client
import Foundation
import StorageProtocol

#if canImport(Glibc)
    import Glibc
#endif

extension WriteBackFilesystem {
    /// The flusher's thread: commits the changes after `flushAfter` of quiet, or at once when asked
    /// (`fsync`, a full cache, the unmount); after a failure it waits a little before trying again.
    func runFlusher() {
        let retryPause = Duration.seconds(2)
        var lastFailure: ContinuousClock.Instant?
        state.lock()
        while !stopping {
            let asked = flushRequests > max(servedRequests, failedRequests)
            let quiet = ContinuousClock.now - lastMutation >= configuration.flushAfter
            let rested = lastFailure.map { ContinuousClock.now - $0 >= retryPause } ?? true
            if asked || (pendingChanges && quiet && rested) {
                let ok = flushHolding()
                lastFailure = ok ? nil : .now
                continue
            }
            _ = state.wait(until: Date().addingTimeInterval(0.1))
        }
        flusherDone = true
        state.broadcast()
        state.unlock()
    }

    /// One flush: takes the whole write gate, plans the commit from the tree, commits it, and marks
    /// what it committed clean. Holding `state` (released during the commit itself). Returns whether
    /// every change is committed.
    func flushHolding() -> Bool {
        let covering = flushRequests
        guard pendingChanges else {
            servedRequests = covering
            state.broadcast()
            return true
        }
        flushing = true
        flushGeneration += 1
        while activeMutations > 0 { state.wait() }
        defer {
            flushing = false
            state.broadcast()
        }
        do throws(MountError) {
            try commitChanges()
            pendingChanges = false
            lastFlushError = nil
            servedRequests = covering
            saveManifest()
            evict(toFit: 0)
            return true
        } catch {
            lastFlushError = error.description
            failedRequests = covering
            logger.error("flush failed; the changes stay in the cache", metadata: ["mount.error": "\(error)"])
            return false
        }
    }

    /// libfuse's high-level API keeps a file unlinked while still open under `.fuse_hiddenXXXX` in the same
    /// directory until its last close: to the network such a file is deleted, never committed by that name.
    static func isHiddenByFuse(_ path: String) -> Bool {
        (path.split(separator: "/").last ?? "").hasPrefix(".fuse_hidden")
    }

    /// Plans and commits the tree's changes; holding `state` and the whole gate.
    private func commitChanges() throws(MountError) {
        var uploads: [Node] = []
        var renames: [Node] = []
        var unchanged: Set<String> = []
        for node in files.values {
            // Not on the network: its absence deletes what it was (its origin is not kept below).
            if Self.isHiddenByFuse(node.path) { continue }
            if node.dirty {
                uploads.append(node)
            } else if node.origin != node.path {
                renames.append(node)
            } else {
                unchanged.insert(node.path)
            }
        }
        // A rename commits as such when neither of its paths is used by another change (a file written
        // where one moved away, two files swapped): otherwise every moved file is uploaded afresh.
        var used = Set(uploads.map(\.path))
        var conflict = false
        for node in renames {
            guard let origin = node.origin, !used.contains(origin), !used.contains(node.path) else {
                conflict = true
                break
            }
            used.insert(origin)
            used.insert(node.path)
        }
        if conflict {
            for node in renames {
                do throws(FilesystemError) {
                    try ensureCached(node, overLimit: true)
                } catch {
                    throw .flush("cannot fetch \(node.origin ?? node.path) to move it: \(error)")
                }
                uploads.append(node)
            }
            renames = []
        }
        let kept = unchanged.union(uploads.map(\.path)).union(renames.map(\.path))
            .union(renames.compactMap(\.origin))
        let deletes = baseline.subtracting(kept).sorted()

        var items: [(node: Node, item: Uploader.Item)] = []
        for node in uploads {
            guard let name = node.cacheName, let remote = try? RemotePath(node.path) else {
                throw .flush("\(node.path) has no cached content")
            }
            items.append((node, Uploader.Item(localPath: cachePath(name), remotePath: remote)))
        }
        var deleteQueue: ArraySlice<RemotePath>
        var renameQueue: ArraySlice<(node: Node, from: RemotePath, to: RemotePath)>
        do {
            deleteQueue = try deletes.map { try RemotePath($0) }[...]
            renameQueue = try renames.map { ($0, try RemotePath($0.origin!), try RemotePath($0.path)) }[...]
        } catch {
            throw .flush("a path the network refuses: \(error)")
        }
        // Deletes first, then renames, then uploads, at most `pathsPerCommit` paths in one commit (a
        // rename names two; at least two, so every round takes something): a flush of 30,000 deletes
        // is several commits, each a consistent state.
        var rest = items[...]
        while !deleteQueue.isEmpty || !renameQueue.isEmpty || !rest.isEmpty {
            var batch = Batch()
            var room = configuration.pathsPerCommit
            let deleting = deleteQueue.prefix(room)
            deleteQueue = deleteQueue.dropFirst(deleting.count)
            for path in deleting { batch.delete(path) }
            room -= deleting.count
            let renaming = renameQueue.prefix(room / 2)
            renameQueue = renameQueue.dropFirst(renaming.count)
            for rename in renaming { batch.rename(rename.from, to: rename.to) }
            room -= 2 * renaming.count
            let chunk = rest.prefix(room)
            rest = rest.dropFirst(chunk.count)
            batch.uploads = chunk.map(\.item)
            let encrypt = configuration.encrypt
            let client = self.client
            let toCommit = batch
            logger.info(
                "committing",
                metadata: [
                    "mount.uploads": "\(batch.uploads.count)", "mount.deletes": "\(batch.deletes.count)",
                    "mount.renames": "\(batch.renames.count)",
                ])
            state.unlock()
            let outcome: Result<Void, ClientError>
            do throws(ClientError) {
                try Blocking.run { () async throws(ClientError) in
                    _ = try await client.commit(toCommit, encrypt: encrypt)
                }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            state.lock()
            if case .failure(let error) = outcome { throw .flush(error.description) }
            // What this commit carried is the remote state now.
            for path in batch.deletes { baseline.remove(path.string) }
            for (from, to) in batch.renames {
                baseline.remove(from.string)
                baseline.insert(to.string)
            }
            for rename in renaming { rename.node.origin = rename.node.path }
            for (node, _) in chunk {
                node.origin = node.path
                node.dirty = false
                node.remoteVersion = newVersion()
                node.contentHash = nil
                baseline.insert(node.path)
            }
        }
    }
}
