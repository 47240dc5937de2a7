import NIOPosix

/// Blocking disk work (file reads and writes, `fdatasync`, renames, directory syncs, the SQLite commit of a
/// write) run on a thread pool of its own, so that it never holds a thread of Swift's cooperative pool.
///
/// The pool has more threads than the machine has cores: its threads mostly wait for the disk, and with
/// one per core (NIO's shared pool) a block read would queue behind every upload's `fdatasync`.
/// A job runs to its end even when the task that waits for it is cancelled, as the synchronous calls it
/// replaces did: a commit's rename and SQLite commit, or an upload's clean-up after a cut body, are never
/// skipped halfway.
enum BlockingIO {
    static let threads = 16

    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        return pool
    }()

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            pool.submit { state in
                guard case .active = state else {
                    continuation.resume(throwing: NIOThreadPoolError.ThreadPoolInactive())
                    return
                }
                continuation.resume(with: Result(catching: body))
            }
        }
    }
}
