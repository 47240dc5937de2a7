#if canImport(Glibc)
    import Glibc
#endif

/// A failed filesystem operation, as the kernel hears it: an `errno` value (`ENOENT`, `EIO`, ...).
public struct FilesystemError: Error, Equatable, CustomStringConvertible {
    public var errno: Int32
    public init(_ errno: Int32) { self.errno = errno }

    public static let notFound = FilesystemError(ENOENT)
    public static let exists = FilesystemError(EEXIST)
    public static let notDirectory = FilesystemError(ENOTDIR)
    public static let isDirectory = FilesystemError(EISDIR)
    public static let notEmpty = FilesystemError(ENOTEMPTY)
    public static let io = FilesystemError(EIO)
    public static let invalid = FilesystemError(EINVAL)
    public static let readOnly = FilesystemError(EROFS)
    public static let badHandle = FilesystemError(EBADF)

    public var description: String { "errno \(errno)" }
}

/// What `stat` says of a path.
public struct FileAttributes: Sendable, Equatable {
    public var isDirectory: Bool
    public var size: UInt64
    /// Unix nanoseconds.
    public var modified: Int64
}

/// The calls a FUSE session makes, by path (libfuse's high-level API), on its own threads: every
/// method may block the calling thread and must be safe to call from several at once.
public protocol FilesystemOperations: AnyObject, Sendable {
    func attributes(_ path: String) throws(FilesystemError) -> FileAttributes
    /// What `fstat` says of an open file (perhaps unlinked since).
    func attributes(handle: UInt64) throws(FilesystemError) -> FileAttributes
    func directory(_ path: String) throws(FilesystemError) -> [String]
    /// Opens an existing file; the handle goes back in the calls below.
    func open(_ path: String, flags: Int32) throws(FilesystemError) -> UInt64
    /// Creates (or truncates) a file and opens it.
    func create(_ path: String, flags: Int32) throws(FilesystemError) -> UInt64
    func read(_ handle: UInt64, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(FilesystemError)
        -> Int
    func write(_ handle: UInt64, from buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(FilesystemError) -> Int
    func truncate(_ path: String, handle: UInt64?, to size: UInt64) throws(FilesystemError)
    /// `close(2)` of one descriptor of the handle (there may be several: `dup`).
    func flush(_ handle: UInt64) throws(FilesystemError)
    /// The last descriptor of the handle closed.
    func release(_ handle: UInt64)
    /// Returns once the file's data is committed.
    func fsync(_ handle: UInt64?) throws(FilesystemError)
    func unlink(_ path: String) throws(FilesystemError)
    func makeDirectory(_ path: String) throws(FilesystemError)
    func removeDirectory(_ path: String) throws(FilesystemError)
    func rename(_ from: String, to: String, noReplace: Bool) throws(FilesystemError)
    /// Sets the modification time (Unix nanoseconds); nil: now.
    func setModified(_ path: String, to nanoseconds: Int64?) throws(FilesystemError)
    /// Total and free bytes.
    func capacity() -> (total: UInt64, free: UInt64)
}
