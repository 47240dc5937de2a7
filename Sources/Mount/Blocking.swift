import Dispatch

/// Runs async library calls from the synchronous threads libfuse (and the flusher) own: the task runs
/// on Swift's pool, the calling thread waits on a semaphore. Never call this from the pool itself.
enum Blocking {
    final class Slot<Value>: @unchecked Sendable {
        var value: Value?
    }

    static func run<Value: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () async throws(Failure) -> Value
    ) throws(Failure) -> Value {
        let slot = Slot<Result<Value, Failure>>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do throws(Failure) {
                slot.value = .success(try await body())
            } catch {
                slot.value = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try slot.value!.get()
    }
}
