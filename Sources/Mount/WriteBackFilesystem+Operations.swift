import Client
import Logging
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension WriteBackFilesystem {
    public func attributes(_ path: String) throws(FilesystemError) -> FileAttributes {
        if let known = knownAttributes(path) { return known }
        // Perhaps another client made it since the directory was listed.
        refresh(Self.parent(of: path))
        if let known = knownAttributes(path) { return known }
        throw .notFound
    }

    public func attributes(handle: UInt64) throws(FilesystemError) -> FileAttributes {
        state.lock()
        defer { state.unlock() }
        guard let node = handles[handle]?.node else { throw .badHandle }
        return FileAttributes(isDirectory: false, size: node.size, modified: node.modified)
    }

    private func knownAttributes(_ path: String) -> FileAttributes? {
        state.lock()
        defer { state.unlock() }
        if let node = files[path] {
            return FileAttributes(isDirectory: false, size: node.size, modified: node.modified)
        }
        if directories.contains(path) {
            return FileAttributes(isDirectory: true, size: 0, modified: directoryTimes[path] ?? mountedAt)
        }
        return nil
    }

    public func directory(_ path: String) throws(FilesystemError) -> [String] {
        refresh(path)
        state.lock()
        defer { state.unlock() }
        guard directories.contains(path) else { throw files[path] == nil ? .notFound : .notDirectory }
        let prefix = path == "/" ? "/" : path + "/"
        var names: [String] = []
        for file in files.keys where file.hasPrefix(prefix) && Self.parent(of: file) == path {
            names.append(Self.name(of: file))
        }
        for directory in directories
        where directory != path && directory.hasPrefix(prefix)
            && Self.parent(of: directory) == path
        {
            names.append(Self.name(of: directory))
        }
        return names.sorted()
    }

    public func open(_ path: String, flags: Int32) throws(FilesystemError) -> UInt64 {
        let writing = flags & O_ACCMODE != O_RDONLY
        if writing && configuration.readOnly { throw .readOnly }
        state.lock()
        defer { state.unlock() }
        guard let node = files[path] else { throw directories.contains(path) ? .isDirectory : .notFound }
        node.openCount += 1
        touch(node)
        let handle = nextHandle
        nextHandle += 1
        handles[handle] = Handle(node: node, writing: writing)
        do throws(FilesystemError) {
            if writing && flags & O_TRUNC != 0 {
                try truncateHolding(node, to: 0)
            } else if writing {
                try ensureCached(node)
            }
        } catch {
            handles[handle] = nil
            node.openCount -= 1
            throw error
        }
        return handle
    }

    public func create(_ path: String, flags: Int32) throws(FilesystemError) -> UInt64 {
        if configuration.readOnly { throw .readOnly }
        try Self.check(path)
        state.lock()
        defer { state.unlock() }
        if files[path] != nil {
            state.unlock()
            let handle = try open(path, flags: flags | O_TRUNC)
            state.lock()
            return handle
        }
        guard directories.contains(Self.parent(of: path)) else { throw .notFound }
        guard !directories.contains(path) else { throw .isDirectory }
        let name = UUID().uuidString
        let descriptor = Glibc.open(cachePath(name), O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw .io }
        enterMutation()
        let node = Node(path: path, origin: nil, size: 0, modified: Self.now(), remoteVersion: newVersion())
        node.cacheName = name
        node.descriptor = descriptor
        node.dirty = true
        node.openCount = 1
        touch(node)
        files[path] = node
        let handle = nextHandle
        nextHandle += 1
        handles[handle] = Handle(node: node, writing: true)
        saveManifest()
        leaveMutation(changed: true)
        return handle
    }

    public func read(_ handle: UInt64, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64)
        throws(FilesystemError) -> Int
    {
        state.lock()
        guard let node = handles[handle]?.node else {
            state.unlock()
            throw .badHandle
        }
        touch(node)
        let size = node.size
        if node.isCached {
            let descriptor = node.descriptor
            state.unlock()
            guard offset < size else { return 0 }
            let count = min(buffer.count, Int(size - offset))
            let read = pread(descriptor, buffer.baseAddress, count, off_t(offset))
            guard read >= 0 else { throw .io }
            // A file grown past what is written reads zeros there.
            if read < count { memset(buffer.baseAddress! + read, 0, count - read) }
            return count
        }
        guard let origin = node.origin else {
            state.unlock()
            throw .io
        }
        let version = node.remoteVersion
        state.unlock()
        return try readRemote(origin: origin, version: version, size: size, into: buffer, at: offset)
    }

    public func write(_ handle: UInt64, from buffer: UnsafeRawBufferPointer, at offset: UInt64)
        throws(FilesystemError) -> Int
    {
        let (end, overflow) = offset.addingReportingOverflow(UInt64(buffer.count))
        guard !overflow, end <= UInt64(Int64.max) else { throw FilesystemError(EFBIG) }
        state.lock()
        defer { state.unlock() }
        guard let found = handles[handle], found.writing else { throw .badHandle }
        let node = found.node
        try ensureCached(node)
        _ = reserveRoom { end > node.size ? end - node.size : 0 }
        guard node.isCached else {
            leaveMutation(changed: false)
            throw .io
        }
        let wasDirty = node.dirty
        node.size = max(node.size, end)
        node.dirty = true
        node.modified = Self.now()
        touch(node)
        let descriptor = node.descriptor
        if !wasDirty && !node.detached { saveManifest() }
        state.unlock()
        let written = pwrite(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
        state.lock()
        leaveMutation(changed: !node.detached)
        guard written == buffer.count else { throw .io }
        return written
    }

    public func truncate(_ path: String, handle: UInt64?, to size: UInt64) throws(FilesystemError) {
        if configuration.readOnly { throw .readOnly }
        guard size <= UInt64(Int64.max) else { throw FilesystemError(EFBIG) }
        state.lock()
        defer { state.unlock() }
        let node: Node
        if let handle, let found = handles[handle] {
            node = found.node
        } else if let found = files[path] {
            node = found
        } else {
            throw directories.contains(path) ? .isDirectory : .notFound
        }
        try truncateHolding(node, to: size)
    }

    /// Truncates (or extends with zeros) a file; holding `state`.
    func truncateHolding(_ node: Node, to size: UInt64) throws(FilesystemError) {
        if size == 0 && !node.isCached && !node.fetching {
            // Nothing of the old content is needed: start an empty cache file.
            let name = UUID().uuidString
            let descriptor = Glibc.open(cachePath(name), O_RDWR | O_CREAT | O_TRUNC, 0o600)
            guard descriptor >= 0 else { throw .io }
            enterMutation()
            node.cacheName = name
            node.descriptor = descriptor
            node.size = 0
        } else {
            try ensureCached(node)
            _ = reserveRoom { size > node.size ? size - node.size : 0 }
            guard node.isCached, ftruncate(node.descriptor, off_t(size)) == 0 else {
                leaveMutation(changed: false)
                throw .io
            }
            if size < node.size { cachedBytes -= min(cachedBytes, node.size - size) }
            node.size = size
        }
        let wasDirty = node.dirty
        node.dirty = true
        node.modified = Self.now()
        touch(node)
        if !wasDirty && !node.detached { saveManifest() }
        leaveMutation(changed: !node.detached)
    }

    public func flush(_ handle: UInt64) throws(FilesystemError) {
        guard configuration.syncOnClose else { return }
        state.lock()
        let found = handles[handle]
        state.unlock()
        guard let found, found.writing else { return }
        try fsync(handle)
    }

    public func release(_ handle: UInt64) {
        state.lock()
        defer { state.unlock() }
        guard let found = handles.removeValue(forKey: handle) else { return }
        found.node.openCount -= 1
        if found.node.openCount == 0 && found.node.detached { dropCache(found.node) }
        state.broadcast()
    }

    public func fsync(_ handle: UInt64?) throws(FilesystemError) {
        state.lock()
        defer { state.unlock() }
        guard pendingChanges || flushing else { return }
        flushRequests += 1
        let request = flushRequests
        state.broadcast()
        while servedRequests < request && failedRequests < request { state.wait() }
        if servedRequests < request { throw .io }
    }

    public func unlink(_ path: String) throws(FilesystemError) {
        if configuration.readOnly { throw .readOnly }
        state.lock()
        defer { state.unlock() }
        enterMutation()
        guard let node = files[path] else {
            leaveMutation(changed: false)
            throw directories.contains(path) ? .isDirectory : .notFound
        }
        discard(node)
        saveManifest()
        leaveMutation(changed: true)
    }

    public func makeDirectory(_ path: String) throws(FilesystemError) {
        if configuration.readOnly { throw .readOnly }
        try Self.check(path)
        state.lock()
        defer { state.unlock() }
        guard directories.contains(Self.parent(of: path)) else { throw .notFound }
        guard files[path] == nil, !directories.contains(path) else { throw .exists }
        directories.insert(path)
        saveManifest()
    }

    public func removeDirectory(_ path: String) throws(FilesystemError) {
        if configuration.readOnly { throw .readOnly }
        state.lock()
        defer { state.unlock() }
        guard path != "/" else { throw FilesystemError(EBUSY) }
        guard directories.contains(path) else { throw files[path] == nil ? .notFound : .notDirectory }
        let prefix = path + "/"
        if files.keys.contains(where: { $0.hasPrefix(prefix) }) || directories.contains(where: { $0.hasPrefix(prefix) })
        {
            throw .notEmpty
        }
        directories.remove(path)
        saveManifest()
    }

    public func rename(_ from: String, to: String, noReplace: Bool) throws(FilesystemError) {
        if configuration.readOnly { throw .readOnly }
        try Self.check(to)
        guard from != to else { return }
        state.lock()
        defer { state.unlock() }
        guard directories.contains(Self.parent(of: to)) else { throw .notFound }
        enterMutation()
        defer {
            saveManifest()
            leaveMutation(changed: true)
        }
        if let node = files[from] {
            if directories.contains(to) { throw .isDirectory }
            if let target = files[to] {
                if noReplace { throw .exists }
                discard(target)
            }
            files[from] = nil
            node.path = to
            files[to] = node
            return
        }
        guard directories.contains(from) else { throw .notFound }
        if to.hasPrefix(from + "/") { throw .invalid }
        if files[to] != nil { throw .notDirectory }
        let fromPrefix = from + "/"
        let toPrefix = to + "/"
        if directories.contains(to) {
            if noReplace { throw .exists }
            if files.keys.contains(where: { $0.hasPrefix(toPrefix) })
                || directories.contains(where: { $0.hasPrefix(toPrefix) })
            {
                throw .notEmpty
            }
        }
        let moving = files.values.filter { $0.path.hasPrefix(fromPrefix) }
        for node in moving {
            let moved = toPrefix + node.path.dropFirst(fromPrefix.count)
            try Self.check(moved)
        }
        for node in moving { files[node.path] = nil }
        for node in moving {
            node.path = toPrefix + node.path.dropFirst(fromPrefix.count)
            files[node.path] = node
        }
        let movingDirectories = directories.filter { $0 == from || $0.hasPrefix(fromPrefix) }
        directories.subtract(movingDirectories)
        for directory in movingDirectories {
            directories.insert(directory == from ? to : toPrefix + directory.dropFirst(fromPrefix.count))
        }
    }

    public func setModified(_ path: String, to nanoseconds: Int64?) throws(FilesystemError) {
        state.lock()
        defer { state.unlock() }
        if let node = files[path] {
            node.modified = nanoseconds ?? Self.now()
            return
        }
        guard directories.contains(path) else { throw .notFound }
        directoryTimes[path] = nanoseconds ?? Self.now()
    }

    public func capacity() -> (total: UInt64, free: UInt64) {
        state.lock()
        defer { state.unlock() }
        let (total, overflow) = client.session.capacity.multipliedReportingOverflow(
            by: UInt64(client.session.dataShards))
        let size = overflow ? UInt64.max : total
        let used = files.values.reduce(UInt64(0)) { $0 &+ $1.size }
        return (size, size > used ? size - used : 0)
    }
}
