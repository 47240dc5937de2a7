@testable import Blobber
import Synchronization
import Testing

/// The gate that keeps an `AllocationStore` call whole across its awaits: one holder at a time, and
/// waiters let through in the order they arrived.
@Suite struct SerialGateTests {
    final class Record: Sendable {
        let entries = Mutex<[String]>([])
        let inside = Mutex(0)
    }

    @Test func oneHolderAtATimeInArrivalOrder() async {
        let gate = SerialGate()
        let record = Record()
        await gate.enter()  // held while the others queue up
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    await gate.enter()
                    defer { gate.leave() }
                    let holders = record.inside.withLock { $0 += 1; return $0 }
                    record.entries.withLock { $0.append("in \(index) with \(holders)") }
                    try? await Task.sleep(for: .milliseconds(2))
                    record.inside.withLock { $0 -= 1 }
                }
                // Let task `index` reach the gate before the next one starts.
                while gate.waiterCount < index + 1 { await Task.yield() }
            }
            gate.leave()
        }
        #expect(record.entries.withLock { $0 } == (0..<8).map { "in \($0) with 1" })
        // Free again: entering does not wait.
        await gate.enter()
        #expect(gate.waiterCount == 0)
        gate.leave()
    }
}
