import NIOCore
#if canImport(Glibc)
    import Glibc
#endif

extension ByteSource {
    /// `size` bytes read from the open descriptor `fd` (standard input: 0) in pieces of up to 1 MiB as
    /// the upload asks for them; `fd` stays open. Fewer bytes than `size` before the end fails the
    /// upload, as for any source.
    public init(descriptor fd: Int32, size: UInt64) {
        self.init(size: size, DescriptorChunks(fd: fd))
    }

    /// The size of what `fd` refers to when it is a regular file (standard input redirected from one),
    /// counted from its current offset; nil for a pipe, terminal or socket.
    public static func regularFileSize(of fd: Int32) -> UInt64? {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let offset = lseek(fd, 0, SEEK_CUR)
        return UInt64(max(0, Int64(info.st_size) - Int64(max(0, offset))))
    }

    struct DescriptorChunks: AsyncSequence, Sendable {
        let fd: Int32

        struct AsyncIterator: AsyncIteratorProtocol {
            let fd: Int32

            mutating func next() async throws -> ByteBuffer? {
                var buffer = ByteBufferAllocator().buffer(capacity: 1 << 20)
                let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 1 << 20) { space in
                    while true {
                        let got = read(fd, space.baseAddress, space.count)
                        if got < 0, errno == EINTR { continue }
                        guard got >= 0 else {
                            throw ClientError.localFile(path: "descriptor \(fd)", reason: String(cString: strerror(errno)))
                        }
                        return got
                    }
                }
                return count == 0 ? nil : buffer
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(fd: fd) }
    }
}
