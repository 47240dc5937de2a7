import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A local file opened for reading, with what it looked like when opened, so a change or
/// disappearance while it is read is detected (`checkUnchanged`).
final class LocalFile {
    let path: String
    let size: UInt64
    private let fd: Int32
    let identity: Identity

    struct Identity: Equatable, Codable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int

        enum CodingKeys: String, CodingKey {
            case device, inode, size
            case modifiedSeconds = "mtime_s"
            case modifiedNanoseconds = "mtime_ns"
        }
    }

    init(path: String) throws(ClientError) {
        self.path = path
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .localFile(path: path, reason: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw .localFile(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .localFile(path: path, reason: "not a regular file")
        }
        self.fd = fd
        self.size = UInt64(info.st_size)
        self.identity = Self.identity(info)
    }

    deinit { close(fd) }

    static func identity(_ info: stat) -> Identity {
        Identity(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modifiedSeconds: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec)
    }

    /// Fills `buffer` from the current position; returns the bytes read (fewer only at the end).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ClientError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let got = Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if got < 0 {
                if errno == EINTR { continue }
                throw .localFile(path: path, reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            filled += got
        }
        return filled
    }

    /// Throws `fileChanged` when the file at `path` is no longer the one opened, with the same size
    /// and modification time.
    func checkUnchanged() throws(ClientError) {
        var now = stat()
        guard stat(path, &now) == 0, Self.identity(now) == identity else { throw .fileChanged(path: path) }
        var open = stat()
        guard fstat(fd, &open) == 0, Self.identity(open) == identity else { throw .fileChanged(path: path) }
    }
}
