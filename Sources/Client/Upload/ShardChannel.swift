import NIOCore

typealias ShardChannel = BoundedChannel<ByteBuffer>
import Synchronization

/// A bounded single-producer, single-consumer queue of shard chunks: the encoder waits when the
/// blobber's stream is `capacity` chunks behind, so memory stays bounded whatever the file size. The
/// consumer is the HTTP request body; when the request ends early it cancels, and the producer's
/// `send` returns false from then on instead of waiting forever.
final class BoundedChannel<Element: Sendable>: AsyncSequence, Sendable {

    private struct State {
        var buffer: [Element] = []
        var finished = false
        var cancelled = false
        var consumer: CheckedContinuation<Element?, Never>?
        var producer: CheckedContinuation<Bool, Never>?
    }

    private enum SendStep { case done(Bool), resume(CheckedContinuation<Element?, Never>), wait }
    private enum ReceiveStep { case value(Element?, CheckedContinuation<Bool, Never>?), wait }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Queues `chunk`, waiting while the queue is full. False when the consumer has gone.
    func send(_ chunk: Element) async -> Bool {
        let step: SendStep = state.withLock { state in
            if state.cancelled { return .done(false) }
            if let consumer = state.consumer {
                state.consumer = nil
                return .resume(consumer)
            }
            if state.buffer.count < capacity {
                state.buffer.append(chunk)
                return .done(true)
            }
            return .wait
        }
        switch step {
        case .done(let ok): return ok
        case .resume(let consumer):
            consumer.resume(returning: chunk)
            return true
        case .wait:
            let room = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let proceed: Bool? = state.withLock { state in
                    if state.cancelled { return false }
                    if state.buffer.count < capacity { return true }
                    state.producer = continuation
                    return nil
                }
                if let proceed { continuation.resume(returning: proceed) }
            }
            guard room else { return false }
            return await send(chunk)
        }
    }

    /// No more chunks.
    func finish() {
        let consumer: CheckedContinuation<Element?, Never>? = state.withLock { state in
            state.finished = true
            defer { state.consumer = nil }
            return state.buffer.isEmpty ? state.consumer : nil
        }
        consumer?.resume(returning: nil)
    }

    /// The consumer has stopped reading: release the producer and drop what is queued.
    func cancel() {
        let (producer, consumer) = state.withLock { state in
            state.cancelled = true
            state.buffer = []
            defer {
                state.producer = nil
                state.consumer = nil
            }
            return (state.producer, state.consumer)
        }
        producer?.resume(returning: false)
        consumer?.resume(returning: nil)
    }

    func next() async -> Element? {
        let step: ReceiveStep = state.withLock { state in
            if !state.buffer.isEmpty {
                let chunk = state.buffer.removeFirst()
                let producer = state.producer
                state.producer = nil
                return .value(chunk, producer)
            }
            if state.finished || state.cancelled { return .value(nil, nil) }
            return .wait
        }
        switch step {
        case .value(let chunk, let producer):
            producer?.resume(returning: true)
            return chunk
        case .wait:
            return await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
                let immediate: (Element?, CheckedContinuation<Bool, Never>?)? = state.withLock { state in
                    if !state.buffer.isEmpty {
                        defer { state.producer = nil }
                        return (state.buffer.removeFirst(), state.producer)
                    }
                    if state.finished || state.cancelled { return (nil, nil) }
                    state.consumer = continuation
                    return nil
                }
                if let (chunk, producer) = immediate {
                    producer?.resume(returning: true)
                    continuation.resume(returning: chunk)
                }
            }
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BoundedChannel<Element>
        mutating func next() async -> Element? { await channel.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: self) }
}
