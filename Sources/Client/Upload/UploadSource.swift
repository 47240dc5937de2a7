public import NIOCore

/// Bytes to upload that arrive over time (an HTTP request body, a file being written through a mount):
/// an async sequence of chunks and the number of bytes it will give in all, which the blobbers must
/// know before the first byte (a shard's length is announced up front, docs/PROTOCOL.md section 10).
/// The upload reads it once, front to back, holding at most one batch of stripes; it is never
/// collected in memory.
public struct ByteSource: Sendable {
    /// Bytes the sequence gives in all; more or fewer fails the upload (`client.invalid_argument`).
    public let size: UInt64
    /// The most a source may announce (2^50 bytes, a petabyte).
    public static let maximumSize: UInt64 = 1 << 50
    let makeIterator: @Sendable () -> ChunkIterator
    /// Whether the bytes can be read again from the start (bytes in memory; not a stream).
    var isReplayable = false

    /// `size` bytes from `chunks`, in order.
    public init<Chunks: AsyncSequence & Sendable>(size: UInt64, _ chunks: Chunks) where Chunks.Element == ByteBuffer {
        self.size = size
        makeIterator = {
            var iterator = chunks.makeAsyncIterator()
            return ChunkIterator { try await iterator.next() }
        }
    }

    /// `bytes`, whole (for small values; a large file should come as a sequence of chunks).
    public init(_ bytes: some Collection<UInt8> & Sendable) {
        self.init(size: UInt64(bytes.count), Single(buffer: ByteBuffer(bytes: bytes)))
        isReplayable = true
    }

    struct Single: AsyncSequence, Sendable {
        let buffer: ByteBuffer
        struct AsyncIterator: AsyncIteratorProtocol {
            var buffer: ByteBuffer?
            mutating func next() async throws -> ByteBuffer? {
                defer { buffer = nil }
                return buffer
            }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
    }

    final class ChunkIterator {
        let next: () async throws -> ByteBuffer?
        init(_ next: @escaping () async throws -> ByteBuffer?) { self.next = next }
    }
}

/// Where one upload's bytes come from: a local file (`LocalFile`) or a `ByteSource`. Read front to back
/// in one task.
protocol UploadSource: AnyObject {
    var size: UInt64 { get }
    /// Fills `buffer`; returns the bytes read (fewer only at the end).
    func read(into buffer: UnsafeMutableRawBufferPointer) async throws(ClientError) -> Int
    /// Throws when the bytes are not what was announced when opened (a file changed while read).
    func checkUnchanged() throws(ClientError)
    /// The error for a source that ended early or went on past its size.
    var changed: ClientError { get }
}

/// Its synchronous `read(into:)` serves as the requirement.
extension LocalFile: UploadSource {
    var changed: ClientError { .fileChanged(path: path) }
}

/// A `ByteSource` opened for one upload.
final class OpenedByteSource: UploadSource {
    let size: UInt64
    let remotePath: String
    private let chunks: ByteSource.ChunkIterator
    private var pending = ByteBuffer()
    private var ended = false

    init(_ source: ByteSource, remotePath: String) {
        size = source.size
        self.remotePath = remotePath
        chunks = source.makeIterator()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) async throws(ClientError) -> Int {
        var filled = 0
        while filled < buffer.count {
            if pending.readableBytes == 0 {
                guard !ended else { break }
                let next: ByteBuffer?
                do {
                    next = try await chunks.next()
                } catch let error as ClientError {
                    throw error
                } catch {
                    throw .invalidArgument("the bytes for \(remotePath) failed: \(error)")
                }
                guard let next else {
                    ended = true
                    break
                }
                pending = next
                continue
            }
            let take = min(pending.readableBytes, buffer.count - filled)
            pending.withUnsafeReadableBytes { bytes in
                UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + take)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
            }
            pending.moveReaderIndex(forwardBy: take)
            filled += take
        }
        return filled
    }

    func checkUnchanged() throws(ClientError) {}

    var changed: ClientError {
        .invalidArgument("the bytes for \(remotePath) were not the \(size) announced")
    }
}
