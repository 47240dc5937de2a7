import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import StorageProtocol

/// The wallet folder's write lock on one allocation (docs/PROTOCOL.md 10.3 "One writer at a time"):
/// an exclusive `flock` on `HOME/allocations/ID.lock`, held by every write (upload, rm, mv, repair) from
/// before its staging to after its commit or rollback, so two `blob` processes sharing a wallet never
/// sign markers against the same heads. The kernel drops it when the holder exits, killed or not.
final class AllocationLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Takes the lock, waiting at most `timeout`; `client.allocation_busy` when another writer keeps it.
    static func acquire(_ path: String, allocation: AllocationID, timeout: Duration) async throws(ClientError)
        -> AllocationLock
    {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .localFile(path: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        let deadline = ContinuousClock.now + timeout
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            guard reason == EWOULDBLOCK || reason == EINTR else {
                close(descriptor)
                throw .localFile(path: path, reason: "cannot lock: \(String(cString: strerror(reason)))")
            }
            guard ContinuousClock.now < deadline else {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                close(descriptor)
                throw .allocationBusy(allocation: allocation, lockFile: path, holder: holder ?? "")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        // Who holds it, for the message another writer gets.
        let note = Array("pid \(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = note.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return AllocationLock(descriptor: descriptor)
    }

    deinit {
        close(descriptor)
    }
}

extension ClientHome {
    func lockPath(_ allocation: AllocationID) -> String { path + "/allocations/\(allocation.hex).lock" }

    /// Runs `body` holding the allocation's write lock.
    func withWriteLock<T: Sendable>(
        _ allocation: AllocationID, timeout: Duration, _ body: () async throws(ClientError) -> T
    ) async throws(ClientError) -> T {
        try ensureExists()
        let lock = try await AllocationLock.acquire(lockPath(allocation), allocation: allocation, timeout: timeout)
        let result: Result<T, ClientError>
        do throws(ClientError) {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        withExtendedLifetime(lock) {}
        return try result.get()
    }
}
