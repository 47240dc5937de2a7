import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A download written straight to an open descriptor: standard output (`blob download /x -`), or a
/// character device or FIFO named as the local path (`/dev/stdout`, a named pipe), which cannot be
/// written beside and renamed into place. Blocks are verified before they are written; across a read
/// that starts over, bytes already written are skipped, as `StreamSink` does.
final class DescriptorSink: ReadSink {
    let name: String
    private let fd: Int32
    private let owned: Bool
    /// Bytes written to the descriptor, over every attempt.
    private var delivered: UInt64 = 0
    /// Bytes of the current attempt.
    private(set) var length: UInt64 = 0

    /// Writes to `fd`, which stays open (`owned` false) or is closed with the sink.
    init(fd: Int32, name: String, owned: Bool) {
        self.fd = fd
        self.name = name
        self.owned = owned
    }

    /// Opens the existing character device or FIFO `path` for writing (no create, no truncate).
    convenience init(device path: String) throws(ClientError) {
        let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .localFile(path: path, reason: String(cString: strerror(errno))) }
        self.init(fd: fd, name: path, owned: true)
    }

    deinit {
        if owned { close(fd) }
    }

    /// A new attempt from the start of the range.
    func restart() -> DescriptorSink {
        length = 0
        return self
    }

    func write(_ bytes: UnsafeRawBufferPointer) async throws(ClientError) {
        let start = length
        length += UInt64(bytes.count)
        guard length > delivered else { return }
        var done = Int(delivered - start)
        while done < bytes.count {
            let wrote = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if wrote < 0 {
                if errno == EINTR { continue }
                throw .localFile(path: name, reason: String(cString: strerror(errno)))
            }
            done += wrote
        }
        delivered = length
    }

    func finish() throws(ClientError) {}
    func discard() {}
    func failure(_ error: any Error) -> ClientError { .localFile(path: name, reason: "\(error)") }
}

/// What a download's local path names today, and so how it is written.
enum LocalTarget: Equatable {
    /// Nothing there yet, or a regular file: written beside and renamed into place.
    case file
    /// A character device or FIFO (also through a symbolic link, as `/dev/stdout` is), or anything a
    /// name under `/dev/` leads to: written directly.
    case device
    /// Anything else (a symbolic link to a file or to nothing, a directory, a socket): refused, with why.
    case refused(String)

    static func of(_ path: String) -> LocalTarget {
        var link = stat()
        guard lstat(path, &link) == 0 else { return .file }
        var target = stat()
        let followed = stat(path, &target) == 0
        if followed, isDevice(target.st_mode) { return .device }
        // /dev/stdout, /dev/stderr and /dev/fd/N name a descriptor, whatever it is open on (a file
        // stdout was redirected to): written through, as a shell's redirection would be.
        if followed, path.hasPrefix("/dev/") { return .device }
        switch link.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFLNK:
            return .refused(
                "is a symbolic link; a download does not write through or replace one (remove it, or name the file it points to)"
            )
        case S_IFDIR: return .refused("is a directory")
        default: return .refused("is not a regular file, character device or FIFO")
        }
    }

    private static func isDevice(_ mode: mode_t) -> Bool {
        mode & S_IFMT == S_IFCHR || mode & S_IFMT == S_IFIFO
    }
}
