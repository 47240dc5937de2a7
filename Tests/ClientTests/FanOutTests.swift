@testable import Client
import StorageProtocol
import Synchronization
import Testing

/// The one fan-out over blobbers (`FanOut.run`, behind `AllocationSession.onBlobbers`): every index gets
/// its own result in its own slot, typed errors come back as they were thrown, only the chosen indexes
/// run, and `sequential` keeps the order. The suite runs in the optimised build too (`scripts/test`),
/// where Swift 6.3.1 once handed every task of a group index 0 when a typed do/catch returned.
@Suite struct FanOutTests {
    @Test func everyIndexGetsItsOwnResultInItsSlot() async {
        let results = await FanOut.run(0..<16, slots: 16) { index throws(ClientError) in
            if index % 2 == 0 { return index * index }
            return index + 1000
        }
        #expect(results.slots.count == 16)
        #expect(results.successes.map(\.index) == Array(0..<16))
        #expect(results.successes.map(\.value) == (0..<16).map { $0 % 2 == 0 ? $0 * $0 : $0 + 1000 })
        #expect(results.failures.isEmpty)
    }

    @Test func typedFailuresComeBackAsThrownBesideSuccesses() async {
        let results = await FanOut.run(0..<6, slots: 6) { index throws(ClientError) -> String in
            if index % 3 == 1 { throw .remoteNotFound(path: "/file\(index)") }
            if index == 5 { throw .consensusFailed(succeeded: index, required: 3, failures: ["slot \(index)"]) }
            return "value \(index)"
        }
        #expect(results.successes.map(\.index) == [0, 2, 3])
        #expect(results.successes.map(\.value) == ["value 0", "value 2", "value 3"])
        #expect(results.failures.map(\.index) == [1, 4, 5])
        #expect(results.failures.map(\.error.code) == [
            "client.remote_not_found", "client.remote_not_found", "client.consensus_failed",
        ])
        guard case .failure(.remoteNotFound(let path))? = results[4] else {
            Issue.record("slot 4 holds \(String(describing: results[4]))")
            return
        }
        #expect(path == "/file4")
        guard case .failure(.consensusFailed(let succeeded, _, let failures))? = results[5] else {
            Issue.record("slot 5 holds \(String(describing: results[5]))")
            return
        }
        #expect(succeeded == 5)
        #expect(failures == ["slot 5"])
    }

    @Test func onlyTheChosenIndexesRun() async {
        let ran = Mutex<[Int]>([])
        let results = await FanOut.run([4, 1, 3], slots: 6) { index throws(ClientError) in
            ran.withLock { $0.append(index) }
            return index * 10
        }
        #expect(ran.withLock { $0.sorted() } == [1, 3, 4])
        #expect(results.slots.map { slot in slot.flatMap { try? $0.get() } } == [nil, 10, nil, 30, 40, nil])
        #expect(results[0] == nil)
        #expect(results[6] == nil)
    }

    @Test func sequentialRunsOneAtATimeInTheGivenOrder() async {
        let order = Mutex<[Int]>([])
        let running = Mutex(0)
        let results = await FanOut.run([3, 0, 2], slots: 4, sequential: true) { index throws(ClientError) in
            let overlapping = running.withLock {
                $0 += 1
                return $0 > 1
            }
            try? await Task.sleep(for: .milliseconds(5))
            running.withLock { $0 -= 1 }
            if overlapping { throw .invalidArgument("two at once") }
            order.withLock { $0.append(index) }
            if index == 2 { throw .noLedger }
            return index
        }
        #expect(order.withLock { $0 } == [3, 0, 2])
        #expect(results.successes.map(\.index) == [0, 3])
        #expect(results.failures.map(\.error.code) == ["client.no_ledger"])
    }
}
