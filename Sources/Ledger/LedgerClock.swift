import Foundation
import Synchronization

/// The ledger's wall clock in Unix milliseconds. Tests substitute a manual clock.
public struct LedgerClock: Sendable {
    public let now: @Sendable () -> Int64

    public init(now: @escaping @Sendable () -> Int64) {
        self.now = now
    }

    public static let system = LedgerClock { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// A clock that only moves when told to.
    public static func manual(_ time: ManualTime) -> LedgerClock {
        LedgerClock { time.value }
    }
}

/// A settable time for `LedgerClock.manual`.
public final class ManualTime: Sendable {
    private let current: Mutex<Int64>

    public init(_ start: Int64) {
        current = Mutex(start)
    }

    public var value: Int64 { current.withLock { $0 } }

    public func advance(by milliseconds: Int64) {
        current.withLock { $0 += milliseconds }
    }

    public func set(_ value: Int64) {
        current.withLock { $0 = value }
    }
}
