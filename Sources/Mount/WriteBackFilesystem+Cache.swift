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
                "cache folder over its limit", metadata: ["mount.cached": "\(cachedBytes)", "mount.needed": "\(wanted)"])
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
                "cannot fetch a file into the cache", metadata: ["mount.path": "\(origin)", "mount.error": "\(failure ?? "open")"])
            throw .io
        }
        node.cacheName = name
        node.descriptor = descriptor
        touch(node)
    }

    /// Reads bytes of a file that is not cached from the network, a block of `BlockCache.blockSize` at
    /// a time, each verified (`BlobClient.read`), through the read cache. Called without `state`.
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
            let key = BlockCache.Key(version: version, index: index)
            state.lock()
            let cached = blocks.get(key)
            state.unlock()
            let block: [UInt8]
            if let cached {
                block = cached
            } else {
                do {
                    let remote = try RemotePath(origin)
                    block = try Blocking.run { () async throws(ClientError) -> [UInt8] in
                        var bytes: [UInt8] = []
                        bytes.reserveCapacity(Int(blockEnd - blockStart))
                        for try await chunk in self.client.read(remote, range: blockStart...(blockEnd - 1)) {
                            bytes += chunk.readableBytesView
                        }
                        return bytes
                    }
                } catch {
                    logger.error("remote read failed", metadata: ["mount.path": "\(origin)", "mount.error": "\(error)"])
                    throw .io
                }
                guard block.count == Int(blockEnd - blockStart) else { throw .io }
                state.lock()
                blocks.put(key, block)
                state.unlock()
            }
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
}
