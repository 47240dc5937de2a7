import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Where a read's verified bytes go, in file order (`Downloader.read`): a local file (`FileSink`) or
/// the consumer of a `ReadStream`.
protocol ReadSink: AnyObject {
    /// Bytes written so far.
    var length: UInt64 { get }
    func write(_ bytes: UnsafeRawBufferPointer) async throws(ClientError)
    /// Every wanted byte was written and verified.
    func finish() throws(ClientError)
    /// The read failed: drop what was written (best effort).
    func discard()
    /// An error that is not a `ClientError`, as one.
    func failure(_ error: any Error) -> ClientError
}

/// A download into `localPath`: written to `localPath.blob-partial` and renamed into place only when
/// every byte verified.
final class FileSink: ReadSink {
    let localPath: String
    let partial: String
    private let output: OutputFile

    init(localPath: String) throws(ClientError) {
        self.localPath = localPath
        partial = localPath + ".blob-partial"
        output = try OutputFile(path: partial)
    }

    var length: UInt64 { output.length }

    func write(_ bytes: UnsafeRawBufferPointer) async throws(ClientError) {
        try output.write(bytes)
    }

    func finish() throws(ClientError) {
        try output.finish()
        guard rename(partial, localPath) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw .localFile(path: localPath, reason: reason)
        }
    }

    func discard() {
        try? FileManager.default.removeItem(atPath: partial)
    }

    func failure(_ error: any Error) -> ClientError {
        .localFile(path: localPath, reason: "\(error)")
    }
}
