import Synchronization

/// Lets one task at a time through, in the order they arrive. An actor's method that awaits disk work
/// holds it, so that another call on the actor neither changes nor sees the actor's state halfway through
/// (an actor alone would let them in at every `await`).
final class SerialGate: Sendable {
    private struct State {
        var busy = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    /// Waits until the gate is free and takes it. Every `enter` is followed by one `leave`.
    func enter() async {
        let free = state.withLock { state in
            guard !state.busy else { return false }
            state.busy = true
            return true
        }
        if free { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let taken = state.withLock { state in
                if state.busy {
                    state.waiting.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if taken { continuation.resume() }
        }
    }

    /// Tasks waiting to enter.
    var waiterCount: Int { state.withLock { $0.waiting.count } }

    /// Frees the gate, handing it to the longest waiting task if any.
    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            // The gate stays taken: it passes to the waiter (a few wait at most, so removeFirst is cheap).
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
