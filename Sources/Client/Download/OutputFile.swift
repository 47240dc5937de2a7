#if canImport(Glibc)
    import Glibc
#endif

/// A download's temporary file, written front to back. Where the file system allows it the bytes go
/// straight to the device (`O_DIRECT`): no copy into the page cache, whose first touch of fresh memory
/// was the slowest step of a download on the development machine, and nothing left dirty for the
/// final sync. Page-aligned pieces are written from the caller's buffer; anything else (an encrypted
/// file's stripes, a range, the file's tail) is gathered in an aligned staging buffer first. Where
/// direct I/O is refused (tmpfs, some network file systems) it writes through the page cache.
final class OutputFile {
    let path: String
    private let fd: Int32
    private var direct: Bool
    private let staging: UnsafeMutableRawBufferPointer
    private var staged = 0
    /// Bytes handed to `write` so far.
    private(set) var length: UInt64 = 0

    static let alignment = StripeWindow.alignment
    /// Glibc exports `O_DIRECT` only with `_GNU_SOURCE`, which Swift's import does not set; the values
    /// are Linux's (asm-generic/fcntl.h and arch/arm64).
    #if arch(arm64)
        static let directFlag: Int32 = 0o200000
    #else
        static let directFlag: Int32 = 0o40000
    #endif
    static let stagingBytes = 1 << 20

    /// Creates (or truncates) `path`; a symbolic link there is refused, never followed.
    init(path: String) throws(ClientError) {
        self.path = path
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW
        var fd = Glibc.open(path, flags | Self.directFlag, 0o644)
        direct = fd >= 0
        if fd < 0, errno == EINVAL { fd = Glibc.open(path, flags, 0o644) }
        guard fd >= 0 else { throw .localFile(path: path, reason: String(cString: strerror(errno))) }
        self.fd = fd
        staging = .allocate(byteCount: Self.stagingBytes, alignment: Self.alignment)
    }

    deinit {
        close(fd)
        staging.deallocate()
    }

    /// Appends `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(ClientError) {
        length += UInt64(bytes.count)
        var rest = bytes
        if direct, staged == 0, let base = rest.baseAddress, Int(bitPattern: base) % Self.alignment == 0 {
            let whole = rest.count - rest.count % Self.alignment
            if whole > 0 {
                try put(UnsafeRawBufferPointer(rebasing: rest[0..<whole]))
                rest = UnsafeRawBufferPointer(rebasing: rest[whole...])
            }
        }
        while !rest.isEmpty {
            let piece = min(rest.count, staging.count - staged)
            UnsafeMutableRawBufferPointer(rebasing: staging[staged..<(staged + piece)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: rest[0..<piece]))
            staged += piece
            rest = UnsafeRawBufferPointer(rebasing: rest[piece...])
            if staged == staging.count {
                try put(UnsafeRawBufferPointer(staging))
                staged = 0
            }
        }
    }

    /// Writes what is staged and makes the file durable (data and size).
    func finish() throws(ClientError) {
        if staged > 0 {
            let whole = staged - staged % Self.alignment
            if whole > 0 { try put(UnsafeRawBufferPointer(rebasing: staging[0..<whole])) }
            if whole < staged {
                try leaveDirectMode()
                try put(UnsafeRawBufferPointer(rebasing: staging[whole..<staged]))
            }
            staged = 0
        }
        guard fdatasync(fd) == 0 else { throw .localFile(path: path, reason: String(cString: strerror(errno))) }
    }

    private func leaveDirectMode() throws(ClientError) {
        guard direct else { return }
        direct = false
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags & ~Self.directFlag) == 0 else {
            throw .localFile(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Writes all of `bytes` at the current end; a file system that turns direct I/O down at the first
    /// write (EINVAL) gets the rest through the page cache.
    private func put(_ bytes: UnsafeRawBufferPointer) throws(ClientError) {
        var done = 0
        while done < bytes.count {
            let wrote = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if wrote < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL, direct {
                    try leaveDirectMode()
                    continue
                }
                throw .localFile(path: path, reason: String(cString: strerror(errno)))
            }
            done += wrote
        }
    }
}
