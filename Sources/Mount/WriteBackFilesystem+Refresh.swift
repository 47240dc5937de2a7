import Client
import Foundation
import Logging
import Merkle
import StorageProtocol

extension WriteBackFilesystem {
    /// How long a directory's listing is trusted before `readdir` lists it from the network again.
    static let refreshAfter = Duration.seconds(2)

    /// Lists `path` from the network again when its listing is older than `refreshAfter`, and takes
    /// in what other clients changed there: files added, replaced or removed. Files this mount changed
    /// and has not committed (written, moved, removed) keep their local state. Called without `state`.
    func refresh(_ path: String) {
        state.lock()
        let due =
            directories.contains(path) && !flushing
            && ContinuousClock.now - (listedAt[path] ?? startedAt) >= Self.refreshAfter
        if due { listedAt[path] = .now }
        let generation = flushGeneration
        state.unlock()
        guard due else { return }
        let listing: FileOperations.Listing
        do {
            listing = try Blocking.run { () async throws(ClientError) in try await self.client.list(path) }
        } catch {
            logger.debug("listing failed; the directory shows what is known", metadata: ["mount.error": "\(error)"])
            return
        }
        state.lock()
        defer { state.unlock() }
        // A flush committed meanwhile: the listing may show a state between two of this mount's own.
        guard !flushing, generation == flushGeneration else { return }
        merge(listing, in: path)
    }

    /// Holding `state`.
    private func merge(_ listing: FileOperations.Listing, in path: String) {
        let prefix = path == "/" ? "/" : path + "/"
        let movedAway = Set(files.values.compactMap { $0.origin != $0.path ? $0.origin : nil })
        var present: Set<String> = []
        for entry in listing.files where Self.parent(of: entry.path) == path {
            present.insert(entry.path)
            let size = UInt64(max(0, entry.size))
            if let node = files[entry.path] {
                guard !node.dirty, node.origin == node.path, node.openCount == 0, !node.fetching else { continue }
                guard let known = node.contentHash else {
                    node.contentHash = entry.contentHash
                    continue
                }
                guard known != entry.contentHash else { continue }
                // Replaced by another client.
                dropCache(node)
                node.size = size
                node.modified = entry.updatedAt.multipliedReportingOverflow(by: 1_000_000).partialValue
                node.contentHash = entry.contentHash
                node.remoteVersion = newVersion()
            } else if !baseline.contains(entry.path) && !movedAway.contains(entry.path) {
                // Added by another client.
                let node = Node(
                    path: entry.path, origin: entry.path, size: size,
                    modified: entry.updatedAt.multipliedReportingOverflow(by: 1_000_000).partialValue,
                    remoteVersion: newVersion())
                node.contentHash = entry.contentHash
                files[entry.path] = node
                baseline.insert(entry.path)
            }
        }
        for name in listing.directories {
            let directory = prefix + name.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if files[directory] == nil { directories.insert(directory) }
        }
        // Removed by another client.
        let gone = files.values.filter {
            Self.parent(of: $0.path) == path && !$0.dirty && $0.origin == $0.path && $0.openCount == 0
                && !$0.fetching && baseline.contains($0.path) && !present.contains($0.path)
        }
        for node in gone {
            files[node.path] = nil
            baseline.remove(node.path)
            dropCache(node)
        }
    }
}
