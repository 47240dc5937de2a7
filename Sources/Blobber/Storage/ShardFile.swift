import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file opened for positional writes and reads with plain POSIX calls: no buffering of its own,
/// so bytes go from the request's buffers to the page cache without another copy. Closed when the last
/// reference goes (a job on the thread pool holds one while it works on the file).
final class ShardFile: Sendable {
    let descriptor: Int32
    let path: String

    enum Mode { case read, write }

    init(path: String, mode: Mode) throws(StorageError) {
        let flags = mode == .read ? O_RDONLY | O_CLOEXEC : O_RDWR | O_CREAT | O_CLOEXEC
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        self.descriptor = fd
        self.path = path
    }

    deinit { close(descriptor) }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(StorageError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write", errno: errno)
            }
            done += n
        }
    }

    /// Reads exactly `bytes.count` bytes at `offset`; fewer means the file is shorter than its metadata says.
    func read(into bytes: UnsafeMutableRawBufferPointer, at offset: Int) throws(StorageError) {
        var done = 0
        while done < bytes.count {
            let n = pread(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read", errno: errno)
            }
            if n == 0 {
                throw .corrupt(path: path, reason: "ends at \(offset + done), expected \(offset + bytes.count) bytes")
            }
            done += n
        }
    }

    func truncate(to length: Int) throws(StorageError) {
        guard ftruncate(descriptor, off_t(length)) == 0 else {
            throw .io(path: path, operation: "truncate", errno: errno)
        }
    }

    var length: Int {
        let end = lseek(descriptor, 0, SEEK_END)
        return end < 0 ? 0 : Int(end)
    }

    func sync() throws(StorageError) {
        guard fdatasync(descriptor) == 0 else { throw .io(path: path, operation: "fdatasync", errno: errno) }
    }

    /// Syncs a directory so that a rename or a new file inside it survives a crash.
    static func syncDirectory(_ path: String) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, operation: "open directory", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "fsync directory", errno: errno) }
    }

    static func rename(_ from: String, to: String) throws(StorageError) {
        guard Glibc.rename(from, to) == 0 else { throw .io(path: from, operation: "rename to \(to)", errno: errno) }
    }

    static func remove(_ path: String) {
        unlink(path)
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func makeDirectory(_ path: String) throws(StorageError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .io(path: path, operation: "mkdir", errno: errno)
        }
    }
}

/// Failures of the blobber's own storage: the disk, or files that do not match their metadata.
public enum StorageError: Error, CustomStringConvertible, Equatable {
    case io(path: String, operation: String, errno: Int32)
    case corrupt(path: String, reason: String)

    public var code: String {
        switch self {
        case .io: "storage.io"
        case .corrupt: "storage.corrupt"
        }
    }

    public var description: String {
        switch self {
        case .io(let path, let operation, let errno): "\(operation) \(path) failed: \(String(cString: strerror(errno)))"
        case .corrupt(let path, let reason): "stored file \(path) is damaged: \(reason)"
        }
    }
}
