import Logging
import Client
import Foundation
import NIOCore
import StorageProtocol

#if canImport(Glibc)
    import Glibc
#endif

extension WriteBackFilesystem {
    /// Makes room for `needed` more bytes in the cache folder: drops clean files least recently used
    /// first; when dirty data fills it, asks for a flush and waits for it. Returns holding `state` and a
    /// share of the write gate, with `needed` counted in `cachedBytes`. Called holding `state` and no
    /// share of the gate; `needed` is worked out again after each wait (a write racing another).
    /// `overLimit`: for the flusher's own fetches, which cannot wait for a flush.
    func reserveRoom(_ needed: () -> UInt64, overLimit: Bool = false) -> UInt64 {
        let limit = configuration.cacheLimit
        while true {
            while flushing && !overLimit { state.wait() }
            let wanted = needed()
            if overLimit || wanted == 0 || cachedBytes + wanted <= limit {
                activeMutations += 1
                cachedBytes += wanted
                return wanted
            }
            evict(toFit: wanted)
            if cachedBytes + wanted <= limit { continue }
            let dirty = files.values.contains { $0.dirty }
            if dirty && lastFlushError == nil {
                // Dirty data fills the folder: flush now and wait for it, then drop what became clean.
                flushRequests += 1
                let request = flushRequests
                state.broadcast()
                while servedRequests < request && failedRequests < request && !stopping { state.wait() }
                if servedRequests >= request { continue }
            }
            // Nothing can be dropped (what is cached is open or cannot be committed now): go over the
            // limit rather than block forever.
            logger.warning(
                "cache folder over its limit",
                metadata: ["mount.cached": "\(cachedBytes)", "mount.needed": "\(wanted)"])
            activeMutations += 1
            cachedBytes += wanted
            return wanted
        }
    }

    /// Drops clean cached files nobody has open, least recently used first, until `wanted` more bytes fit.
    func evict(toFit wanted: UInt64) {
        let candidates = files.values.filter { $0.isCached && !$0.dirty && $0.openCount == 0 && !$0.fetching }
            .sorted { $0.lastUsed < $1.lastUsed }
        for node in candidates {
            if cachedBytes + wanted <= configuration.cacheLimit { return }
            logger.debug("evicted from the cache", metadata: ["mount.path": "\(node.path)"])
            dropCache(node)
        }
    }

    /// Brings `node`'s committed content into the cache folder (before a write that keeps it). Called
    /// holding `state` and no share of the gate; returns holding `state` and no share.
    func ensureCached(_ node: Node, overLimit: Bool = false) throws(FilesystemError) {
        while node.fetching { state.wait() }
        if node.isCached { return }
        guard let origin = node.origin else { throw .io }
        let reserved = reserveRoom({ node.isCached ? 0 : node.size }, overLimit: overLimit)
        activeMutations -= 1
        state.broadcast()
        if node.isCached {
            cachedBytes -= reserved
            return
        }
        node.fetching = true
        let size = node.size
        let name = UUID().uuidString
        let path = cachePath(name)
        state.unlock()
        var failure: String?
        if size == 0 {
            if !FileManager.default.createFile(atPath: path, contents: nil) { failure = "cannot create \(path)" }
        } else {
            do {
                let remote = try RemotePath(origin)
                try Blocking.run { () async throws(ClientError) in
                    _ = try await self.client.download(remote, to: path)
                }
            } catch {
                failure = "\(error)"
            }
        }
        let descriptor = failure == nil ? Glibc.open(path, O_RDWR) : -1
        state.lock()
        node.fetching = false
        state.broadcast()
        guard failure == nil, descriptor >= 0 else {
            cachedBytes -= min(cachedBytes, reserved)
            Glibc.unlink(path)
            logger.error(
                "cannot fetch a file into the cache",
                metadata: ["mount.path": "\(origin)", "mount.error": "\(failure ?? "open")"])
            throw .io
        }
        node.cacheName = name
        node.descriptor = descriptor
        touch(node)
    }

    /// Blocks fetched in one request when a read follows the block before it (sequential reading).
    static let readAhead: UInt64 = 8

    /// Reads bytes of a file that is not cached from the network, whole blocks of `BlockCache.blockSize`
    /// (several in one request when reading sequentially), each verified (`BlobClient.read`), through
    /// the read cache; a block another thread is fetching is waited for, not fetched twice. Called
    /// without `state`.
    func readRemote(
        origin: String, version: UInt64, size: UInt64, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64
    ) throws(FilesystemError) -> Int {
        guard offset < size else { return 0 }
        let end = min(size, offset + UInt64(buffer.count))
        var position = offset
        while position < end {
            let index = position / BlockCache.blockSize
            let blockStart = index * BlockCache.blockSize
            let blockEnd = min(size, blockStart + BlockCache.blockSize)
            let block = try remoteBlock(origin: origin, version: version, size: size, index: index)
            guard block.count == Int(blockEnd - blockStart) else { throw .io }
            let from = Int(position - blockStart)
            let count = Int(min(end, blockEnd) - position)
            block.withUnsafeBytes { source in
                buffer.baseAddress!.advanced(by: Int(position - offset)).copyMemory(
                    from: source.baseAddress!.advanced(by: from), byteCount: count)
            }
            position += UInt64(count)
        }
        return Int(end - offset)
    }

    /// Block `index` of a remote file, from the read cache or the network.
    private func remoteBlock(origin: String, version: UInt64, size: UInt64, index: UInt64) throws(FilesystemError)
        -> [UInt8]
    {
        let key = BlockCache.Key(version: version, index: index)
        state.lock()
        while true {
            if let cached = blocks.get(key) {
                state.unlock()
                return cached
            }
            if !inflight.contains(key) { break }
            state.wait()
        }
        let lastIndex = (size - 1) / BlockCache.blockSize
        let sequential = index > 0 && blocks.contains(BlockCache.Key(version: version, index: index - 1))
        var keys = [key]
        while sequential, UInt64(keys.count) < Self.readAhead {
            let next = BlockCache.Key(version: version, index: index + UInt64(keys.count))
            guard next.index <= lastIndex, !inflight.contains(next), !blocks.contains(next) else { break }
            keys.append(next)
        }
        inflight.formUnion(keys)
        state.unlock()
        let start = index * BlockCache.blockSize
        let stop = min(size, (index + UInt64(keys.count)) * BlockCache.blockSize)
        var fetched: [UInt8] = []
        var failure: (any Error)?
        do {
            let remote = try RemotePath(origin)
            fetched = try Blocking.run { () async throws(ClientError) -> [UInt8] in
                var bytes: [UInt8] = []
                bytes.reserveCapacity(Int(stop - start))
                for try await chunk in self.client.read(remote, range: start...(stop - 1)) {
                    bytes += chunk.readableBytesView
                }
                return bytes
            }
        } catch {
            failure = error
        }
        state.lock()
        defer { state.unlock() }
        inflight.subtract(keys)
        state.broadcast()
        if let failure {
            logger.error("remote read failed", metadata: ["mount.path": "\(origin)", "mount.error": "\(failure)"])
            throw .io
        }
        guard fetched.count == Int(stop - start) else { throw .io }
        var first: [UInt8] = []
        for (position, key) in keys.enumerated() {
            let from = position * Int(BlockCache.blockSize)
            let block = Array(fetched[from..<min(fetched.count, from + Int(BlockCache.blockSize))])
            if position == 0 { first = block }
            blocks.put(key, block)
        }
        return first
    }
}
