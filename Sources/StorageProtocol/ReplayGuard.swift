import Synchronization
import Merkle

/// Remembers request signatures seen inside the freshness window so that each signed request is
/// accepted once. Entries older than the window are dropped: a request that old is refused as stale
/// anyway.
public final class ReplayGuard: Sendable {
    private struct State {
        var seen: [Hash: Int64] = [:]
        var lastSweep: Int64 = 0
    }

    private let state = Mutex(State())
    private let window: Int64

    /// `window`: the freshness window in milliseconds, as used by `RequestAuth.verify`.
    public init(window: Int64) {
        self.window = window
    }

    /// Records the request; false if it was already seen.
    public func firstUse(of auth: RequestAuth, now: Int64) -> Bool {
        let key = SHA256.hash(auth.signature.bytes)
        return state.withLock { state in
            if now - state.lastSweep > window {
                state.seen = state.seen.filter { now - $0.value <= 2 * window }
                state.lastSweep = now
            }
            if state.seen[key] != nil { return false }
            state.seen[key] = auth.timestamp
            return true
        }
    }
}
