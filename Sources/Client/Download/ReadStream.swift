public import NIOCore
import StorageProtocol

/// A file's bytes (or a range of them) as they are read and verified: every chunk has been checked
/// against the shard roots the owner signed (and, for a whole file, the content hash) before it is
/// handed out, and it comes in file order. Iterating starts the read; the reader runs ahead of the
/// consumer by a few chunks at most, and stops when the iterator is dropped. Reuses the download
/// path (`Downloader` → `BlockReader`); a read that has to start over with more blobbers does not
/// repeat bytes already handed out.
public struct ReadStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = ClientError

    let downloader: Downloader
    let path: RemotePath
    let range: ClosedRange<UInt64>?
    /// Chunks the reader may run ahead of the consumer.
    let readAhead = 2

    public func makeAsyncIterator() -> AsyncIterator {
        let channel = BoundedChannel<Result<ByteBuffer, ClientError>>(capacity: readAhead)
        let downloader = self.downloader
        let path = self.path
        let range = self.range
        let task = Task {
            let sink = StreamSink(channel: channel)
            let result = await FanOut.result(at: 0) { _ throws(ClientError) in
                try await downloader.read(path, range: range, into: sink)
            }
            if case .failure(let error) = result { _ = await channel.send(.failure(error)) }
            channel.finish()
        }
        return AsyncIterator(state: IteratorState(channel: channel, task: task))
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Failure = ClientError
        let state: IteratorState

        public mutating func next() async throws(ClientError) -> ByteBuffer? {
            try await state.next()
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(ClientError) -> ByteBuffer? {
            try await state.next()
        }
    }

    /// Ends the reader when the iterator goes away.
    final class IteratorState: Sendable {
        let channel: BoundedChannel<Result<ByteBuffer, ClientError>>
        let task: Task<Void, Never>

        init(channel: BoundedChannel<Result<ByteBuffer, ClientError>>, task: Task<Void, Never>) {
            self.channel = channel
            self.task = task
        }

        /// The next verified chunk; nil at the end.
        func next() async throws(ClientError) -> ByteBuffer? {
            guard let piece = await channel.next() else { return nil }
            return try piece.get()
        }

        deinit {
            channel.cancel()
            task.cancel()
        }
    }
}

extension Downloader {
    /// Reads `path` (or bytes `range` of it) into `sink`, verified, starting over with every blobber
    /// that answers if too many of the fastest fail.
    func read(_ path: RemotePath, range: ClosedRange<UInt64>?, into sink: StreamSink) async throws(ClientError)
        -> Report
    {
        try await retryingWithEveryone(path) { located throws(ClientError) in
            try await read(
                path, entry: located.entry, sources: located.sources, failures: located.failures, range: range,
                progress: nil
            ) { () throws(ClientError) in sink.restart() }
        }
    }
}

/// The consumer side of a `ReadStream`: verified bytes go into the channel as `ByteBuffer`s. Across a
/// read that starts over, bytes already handed out are skipped.
final class StreamSink: ReadSink {
    let channel: BoundedChannel<Result<ByteBuffer, ClientError>>
    /// Bytes handed to the consumer, over every attempt.
    private var delivered: UInt64 = 0
    /// Bytes of the current attempt.
    private(set) var length: UInt64 = 0

    init(channel: BoundedChannel<Result<ByteBuffer, ClientError>>) {
        self.channel = channel
    }

    /// A new attempt from the start of the range.
    func restart() -> StreamSink {
        length = 0
        return self
    }

    func write(_ bytes: UnsafeRawBufferPointer) async throws(ClientError) {
        let start = length
        length += UInt64(bytes.count)
        guard length > delivered else { return }
        let skip = Int(delivered - start)
        let buffer = ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: bytes[skip...]))
        delivered = length
        guard await channel.send(.success(buffer)) else {
            throw .invalidArgument("the reader of the stream stopped")
        }
    }

    func finish() throws(ClientError) {}
    func discard() {}
    func failure(_ error: any Error) -> ClientError { .invalidArgument("reading failed: \(error)") }
}
