import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Test-only hooks, read once from the environment, that stop a real `blob` process at an exact point
/// of a write so tests can prove what a crash there leaves behind (docs/PROTOCOL.md 10.8). Unset —
/// always, outside tests — they change nothing.
///
/// - `BLOB_TEST_EXIT_AT=staged|commit:N|rollback:N`: the process ends at once with `_exit(137)` (as if
///   SIGKILLed, nothing flushed or recorded) when staging has finished, or right after the `N`th commit
///   or rollback answer. While it is set, a write's commits and rollbacks go to one blobber at a time in
///   shard order, so "after the `N`th" means exactly the first `N`.
/// - `BLOB_TEST_SKIP_COMMIT=i,j`: the commit is not sent to the blobbers of shards `i`, `j` (as if it
///   were lost), which forces a rollback when too few are left.
/// - `BLOB_TEST_PAUSE_BEFORE_COMMIT=PATH`: once staging has finished, create `PATH` and wait (at most
///   120 s) until it is removed.
enum FaultInjection {
    enum Point: Equatable {
        case staged, commit(Int), rollback(Int)
    }

    static let exitAt: Point? = {
        guard let text = ProcessInfo.processInfo.environment["BLOB_TEST_EXIT_AT"] else { return nil }
        if text == "staged" { return .staged }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let count = Int(parts[1]) else { return nil }
        switch parts[0] {
        case "commit": return .commit(count)
        case "rollback": return .rollback(count)
        default: return nil
        }
    }()

    static let skipCommit: Set<Int> = Set(
        (ProcessInfo.processInfo.environment["BLOB_TEST_SKIP_COMMIT"] ?? "").split(separator: ",").compactMap {
            Int($0)
        })

    static let pauseFile: String? = ProcessInfo.processInfo.environment["BLOB_TEST_PAUSE_BEFORE_COMMIT"]

    /// Commits and rollbacks one blobber at a time, in shard order.
    static var sequential: Bool { exitAt != nil }

    private static let counts = Locked<(commits: Int, rollbacks: Int)>((0, 0))

    /// Staging has finished; the commit is next.
    static func stagingFinished() async {
        if exitAt == .staged { _exit(137) }
        guard let pauseFile else { return }
        _ = FileManager.default.createFile(atPath: pauseFile, contents: Data())
        for _ in 0..<12_000 where FileManager.default.fileExists(atPath: pauseFile) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// A commit answer arrived.
    static func committed() {
        guard case .commit(let limit) = exitAt else { return }
        if counts.withLock({ $0.commits += 1; return $0.commits }) >= limit { _exit(137) }
    }

    /// A rollback answer arrived.
    static func rolledBack() {
        guard case .rollback(let limit) = exitAt else { return }
        if counts.withLock({ $0.rollbacks += 1; return $0.rollbacks }) >= limit { _exit(137) }
    }

    /// Called before the first rollback: `rollback:0` ends the process once the commits are in.
    static func rollbackStarting() {
        if exitAt == .rollback(0) { _exit(137) }
    }
}
