import CFuse3
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// libfuse3 behind one type: mounts `operations` at a folder and serves the kernel's requests on
/// libfuse's own threads (`fuse_loop_mt`) until the filesystem is unmounted (`fusermount3 -u`) or
/// the process gets SIGTERM, SIGINT or SIGHUP. No other file of the project calls libfuse.
public final class FuseSession: @unchecked Sendable {
    /// Seconds the kernel may keep attributes and names before asking again.
    public static let attributeTimeout = 1.0
    /// The largest read or write the kernel is asked to send in one request.
    static let largestTransfer: UInt32 = 1 << 20

    private let operations: any FilesystemOperations
    private let mountpoint: String
    private let readOnly: Bool
    private var fuse: OpaquePointer?
    private var box: Unmanaged<Box>?

    /// What the C callbacks find in `fuse_get_context()->private_data`.
    final class Box {
        let operations: any FilesystemOperations
        init(_ operations: any FilesystemOperations) { self.operations = operations }
    }

    public init(operations: any FilesystemOperations, mountpoint: String, readOnly: Bool) {
        self.operations = operations
        self.mountpoint = mountpoint
        self.readOnly = readOnly
    }

    /// Mounts; throws a sentence when libfuse refuses (no /dev/fuse, a folder already mounted...).
    public func mount() throws(MountError) {
        var arguments = ["blob", "-o", "fsname=blobnet,subtype=blob"]
        if readOnly { arguments += ["-o", "ro"] }
        var cStrings = arguments.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let box = Unmanaged.passRetained(Box(operations))
        var operationTable = Self.operationTable()
        let made: OpaquePointer? = cStrings.withUnsafeMutableBufferPointer { pointers in
            var args = fuse_args(argc: Int32(pointers.count), argv: pointers.baseAddress, allocated: 0)
            let made = blobnet_fuse_new(&args, &operationTable, box.toOpaque())
            fuse_opt_free_args(&args)
            return made
        }
        guard let made else {
            box.release()
            throw .fuse("libfuse could not start a session (see the message above)")
        }
        guard fuse_mount(made, mountpoint) == 0 else {
            fuse_destroy(made)
            box.release()
            throw .fuse("cannot mount at \(mountpoint) (is /dev/fuse there, the folder empty and not mounted already?)")
        }
        fuse = made
        self.box = box
    }

    /// Serves requests until unmounted or signalled; then unmounts (when still mounted) and frees
    /// the session.
    public func run() {
        guard let fuse else { return }
        // SIGTERM, SIGINT and SIGHUP detach the mount, which ends the loop as `fusermount3 -u` does.
        // (libfuse's own handlers only raise a flag that its threads, blocked reading /dev/fuse, may
        // not see until the next request.)
        let mountpoint = self.mountpoint
        let sources = [SIGTERM, SIGINT, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Self.detach(mountpoint) }
            source.resume()
            return source
        }
        _ = blobnet_fuse_loop_mt(fuse, 16)
        for source in sources { source.cancel() }
        fuse_unmount(fuse)
        fuse_destroy(fuse)
        self.fuse = nil
        box?.release()
        box = nil
    }

    /// Detaches the mount at `mountpoint` (lazily: files still open keep it until closed).
    static func detach(_ mountpoint: String) {
        if getuid() == 0 {
            _ = umount2(mountpoint, Int32(MNT_DETACH))
            return
        }
        var child: pid_t = 0
        let words: [String] = ["fusermount3", "-u", "-z", mountpoint]
        var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) }
        argv.append(nil)
        defer { argv.forEach { free($0) } }
        if posix_spawnp(&child, "fusermount3", nil, nil, argv, environ) == 0 {
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
    }

    private static func operations() -> any FilesystemOperations {
        let context = fuse_get_context()!
        return Unmanaged<Box>.fromOpaque(context.pointee.private_data!).takeUnretainedValue().operations
    }

    /// The path the kernel gave; a name that is not UTF-8 becomes one no file has and no file can be
    /// made at (a control character), rather than being repaired into another file's name.
    private static func path(_ raw: UnsafePointer<CChar>?) -> String {
        guard let raw else { return "/" }
        return String(validatingCString: raw) ?? "/\u{1}not-utf8"
    }

    /// Runs `body`, returning 0, or the negated errno of its error (libfuse's convention).
    private static func answer(_ body: () throws(FilesystemError) -> Void) -> Int32 {
        do {
            try body()
            return 0
        } catch {
            return -error.errno
        }
    }

    /// A byte count, or the negated errno of the error.
    private static func answer(_ result: Result<Int, FilesystemError>) -> Int32 {
        switch result {
        case .success(let count): Int32(clamping: count)
        case .failure(let error): -error.errno
        }
    }

    private static func fill(_ stat: UnsafeMutablePointer<stat>, _ attributes: FileAttributes) {
        memset(stat, 0, MemoryLayout<stat>.size)
        stat.pointee.st_mode = attributes.isDirectory ? (S_IFDIR | 0o755) : (S_IFREG | 0o644)
        stat.pointee.st_nlink = attributes.isDirectory ? 2 : 1
        stat.pointee.st_size = off_t(clamping: attributes.size)
        stat.pointee.st_blocks = blkcnt_t(clamping: (attributes.size + 511) / 512)
        // Tools size their buffers by it (coreutils' cp and cat take st_blksize when it is larger than
        // 128 KiB): one buffer is one FUSE request of `largestTransfer`.
        stat.pointee.st_blksize = blksize_t(largestTransfer)
        stat.pointee.st_uid = getuid()
        stat.pointee.st_gid = getgid()
        let time = timespec(
            tv_sec: Int(attributes.modified / 1_000_000_000), tv_nsec: Int(attributes.modified % 1_000_000_000))
        stat.pointee.st_mtim = time
        stat.pointee.st_ctim = time
        stat.pointee.st_atim = time
    }

    // swift-format-ignore
    private static func operationTable() -> fuse_operations {
        var table = fuse_operations()
        table.`init` = { connection, config in
            if let connection {
                // Writes of up to 1 MiB per request (the kernel's largest, 256 pages) instead of 128 KiB:
                // an eighth of the round trips through /dev/fuse for a sequential copy.
                connection.pointee.max_write = FuseSession.largestTransfer
                connection.pointee.max_readahead = FuseSession.largestTransfer
            }
            if let config {
                config.pointee.attr_timeout = FuseSession.attributeTimeout
                config.pointee.entry_timeout = FuseSession.attributeTimeout
                config.pointee.negative_timeout = 0
                config.pointee.use_ino = 0
                config.pointee.nullpath_ok = 0
            }
            return fuse_get_context()!.pointee.private_data
        }
        table.getattr = { path, stat, info in
            FuseSession.answer { () throws(FilesystemError) in
                if path == nil, let info {
                    FuseSession.fill(stat!, try FuseSession.operations().attributes(handle: info.pointee.fh))
                } else {
                    FuseSession.fill(stat!, try FuseSession.operations().attributes(FuseSession.path(path)))
                }
            }
        }
        table.readdir = { path, buffer, filler, _, _, _ in
            FuseSession.answer { () throws(FilesystemError) in
                let names = try FuseSession.operations().directory(FuseSession.path(path))
                for name in [".", ".."] + names {
                    if blobnet_fuse_fill(filler, buffer, name) != 0 { break }
                }
            }
        }
        table.open = { path, info in
            FuseSession.answer { () throws(FilesystemError) in
                info!.pointee.fh = try FuseSession.operations().open(FuseSession.path(path), flags: info!.pointee.flags)
            }
        }
        table.create = { path, _, info in
            FuseSession.answer { () throws(FilesystemError) in
                info!.pointee.fh = try FuseSession.operations().create(FuseSession.path(path), flags: info!.pointee.flags)
            }
        }
        // (No `return` inside a typed `do throws` in these closures: scripts/test.sh notes that Swift
        // 6.3.1's optimiser has miscompiled that shape.)
        table.read = { _, buffer, size, offset, info in
            guard offset >= 0 else { return -EINVAL }
            let count = Result { () throws(FilesystemError) -> Int in
                try FuseSession.operations().read(
                    info!.pointee.fh, into: UnsafeMutableRawBufferPointer(start: buffer, count: size), at: UInt64(offset))
            }
            return FuseSession.answer(count)
        }
        table.write = { _, buffer, size, offset, info in
            guard offset >= 0 else { return -EINVAL }
            let count = Result { () throws(FilesystemError) -> Int in
                try FuseSession.operations().write(
                    info!.pointee.fh, from: UnsafeRawBufferPointer(start: buffer, count: size), at: UInt64(offset))
            }
            return FuseSession.answer(count)
        }
        table.truncate = { path, size, info in
            guard size >= 0 else { return -EINVAL }
            return FuseSession.answer { () throws(FilesystemError) in
                try FuseSession.operations().truncate(FuseSession.path(path), handle: info?.pointee.fh, to: UInt64(size))
            }
        }
        table.flush = { _, info in
            FuseSession.answer { () throws(FilesystemError) in try FuseSession.operations().flush(info!.pointee.fh) }
        }
        table.release = { _, info in
            FuseSession.operations().release(info!.pointee.fh)
            return 0
        }
        table.fsync = { _, _, info in
            FuseSession.answer { () throws(FilesystemError) in try FuseSession.operations().fsync(info?.pointee.fh) }
        }
        table.fsyncdir = { _, _, _ in
            FuseSession.answer { () throws(FilesystemError) in try FuseSession.operations().fsync(nil) }
        }
        table.unlink = { path in
            FuseSession.answer { () throws(FilesystemError) in try FuseSession.operations().unlink(FuseSession.path(path)) }
        }
        table.mkdir = { path, _ in
            FuseSession.answer { () throws(FilesystemError) in try FuseSession.operations().makeDirectory(FuseSession.path(path)) }
        }
        table.rmdir = { path in
            FuseSession.answer { () throws(FilesystemError) in try FuseSession.operations().removeDirectory(FuseSession.path(path)) }
        }
        table.rename = { from, to, flags in
            // RENAME_EXCHANGE has no meaning here; RENAME_NOREPLACE (1) is honoured.
            guard flags & ~UInt32(1) == 0 else { return -EINVAL }
            return FuseSession.answer { () throws(FilesystemError) in
                try FuseSession.operations().rename(FuseSession.path(from), to: FuseSession.path(to), noReplace: flags & 1 != 0)
            }
        }
        table.utimens = { path, times, _ in
            let modified = times.map { $0[1] }
            if let modified, modified.tv_nsec == blobnet_utime_omit() { return 0 }
            var nanoseconds: Int64? = nil
            if let modified, modified.tv_nsec != blobnet_utime_now() {
                let (seconds, overflow) = Int64(modified.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
                if overflow { return -EINVAL }
                nanoseconds = seconds &+ Int64(modified.tv_nsec)
            }
            return FuseSession.answer { () throws(FilesystemError) in
                try FuseSession.operations().setModified(FuseSession.path(path), to: nanoseconds)
            }
        }
        // Owners and modes are not stored: every file is 0644 and every directory 0755, owned by the
        // mounting user. Accepting the calls lets `cp -p`, `rsync -a` and `tar x` go on.
        table.chmod = { path, _, _ in
            FuseSession.answer { () throws(FilesystemError) in _ = try FuseSession.operations().attributes(FuseSession.path(path)) }
        }
        table.chown = { path, _, _, _ in
            FuseSession.answer { () throws(FilesystemError) in _ = try FuseSession.operations().attributes(FuseSession.path(path)) }
        }
        table.statfs = { _, stat in
            let (total, free) = FuseSession.operations().capacity()
            memset(stat!, 0, MemoryLayout<statvfs>.size)
            let block: UInt64 = 64 * 1024
            stat!.pointee.f_bsize = UInt(block)
            stat!.pointee.f_frsize = UInt(block)
            stat!.pointee.f_blocks = fsblkcnt_t(total / block)
            stat!.pointee.f_bfree = fsblkcnt_t(free / block)
            stat!.pointee.f_bavail = fsblkcnt_t(free / block)
            stat!.pointee.f_namemax = 255
            return 0
        }
        return table
    }
}

/// Why a mount could not start or stop cleanly.
public enum MountError: Error, CustomStringConvertible {
    case fuse(String)
    case cache(String)
    case flush(String)

    public var code: String {
        switch self {
        case .fuse: "mount.fuse_failed"
        case .cache: "mount.cache_unusable"
        case .flush: "mount.flush_failed"
        }
    }

    public var description: String {
        switch self {
        case .fuse(let text), .cache(let text), .flush(let text): text
        }
    }
}
