import ArgumentParser
import Client
import Foundation
import Merkle
import StorageProtocol

/// `blob bench upload`: end-to-end figures against a running network (scripts/bench-client.sh starts
/// one): upload and download speed of one file through the default allocation, the download time with
/// one blobber answering late (`--slow-alloc`, an allocation holding a delayed blobber) over the time
/// without it, and the client's peak resident memory.
struct UploadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload", abstract: "Upload and download one file through the default allocation and time both.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "File size, e.g. 1GiB.") var size: String = "1GiB"
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Option(help: "An allocation with one slow blobber: the same download there gives download_slow_blobber_ratio.")
    var slowAlloc: String?
    @Option(help: "Folder for the temporary file (default: the system's).") var scratch: String?

    struct Figures: Encodable {
        var sizeBytes: UInt64
        var uploadMBps: Double
        var downloadMBps: Double
        var downloadSlowBlobberRatio: Double?
        var peakRSSMiB: Double
        /// Peak resident memory when the upload finished (before any download).
        var uploadPeakRSSMiB: Double
        var uploadSeconds: Double
        var downloadSeconds: Double
        var slowDownloadSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case sizeBytes = "size_bytes"
            case uploadMBps = "upload_MBps"
            case downloadMBps = "download_MBps"
            case downloadSlowBlobberRatio = "download_slow_blobber_ratio"
            case peakRSSMiB = "peak_rss_MiB"
            case uploadPeakRSSMiB = "upload_peak_rss_MiB"
            case uploadSeconds = "upload_seconds"
            case downloadSeconds = "download_seconds"
            case slowDownloadSeconds = "slow_download_seconds"
        }
    }

    func validate() throws {
        guard Sizes.parseBytes(size) ?? 0 > 0 else { throw ValidationError("--size must be like 1GiB") }
    }

    func run() async throws {
        try await runCommand(
            options,
            text: { (figures: Figures) in
                var lines = [
                    "upload    \(String(format: "%.1f", figures.uploadMBps)) MB/s (\(String(format: "%.2f", figures.uploadSeconds)) s)",
                    "download  \(String(format: "%.1f", figures.downloadMBps)) MB/s (\(String(format: "%.2f", figures.downloadSeconds)) s)",
                ]
                if let ratio = figures.downloadSlowBlobberRatio {
                    lines.append("slow-blobber download ratio \(String(format: "%.2f", ratio))")
                }
                lines.append(
                    "peak RSS  \(String(format: "%.1f", figures.uploadPeakRSSMiB)) MiB after the upload, \(String(format: "%.1f", figures.peakRSSMiB)) MiB in all"
                )
                return lines.joined(separator: "\n")
            }
        ) { context throws(ClientError) in
            let bytes = Sizes.parseBytes(size)!
            let folder = scratch ?? FileManager.default.temporaryDirectory.path
            let source = folder + "/blob-bench-\(UUID().uuidString)"
            defer {
                for suffix in ["", ".back", ".slow"] { try? FileManager.default.removeItem(atPath: source + suffix) }
            }
            try Self.writePattern(to: source, size: bytes)
            let remote = try RemotePath.parse("/bench/\(UUID().uuidString).bin")
            let clock = ContinuousClock()

            let session = try await context.session(alloc)
            var start = clock.now
            _ = try await Uploader(session: session).upload([.init(localPath: source, remotePath: remote)])
            let upload = (clock.now - start).seconds
            let uploadPeak = Self.peakRSSMiB()
            start = clock.now
            _ = try await Downloader(session: session).download(remote, to: source + ".back")
            let download = (clock.now - start).seconds
            try? FileManager.default.removeItem(atPath: source + ".back")

            var slow: (seconds: Double, ratio: Double)?
            if let slowAlloc {
                let slowSession = try await context.session(slowAlloc)
                _ = try await Uploader(session: slowSession).upload([.init(localPath: source, remotePath: remote)])
                // The same download on both allocations, measured back to back.
                start = clock.now
                _ = try await Downloader(session: session).download(remote, to: source + ".back")
                let normal = (clock.now - start).seconds
                start = clock.now
                _ = try await Downloader(session: slowSession).download(remote, to: source + ".slow")
                let seconds = (clock.now - start).seconds
                slow = (seconds, seconds / normal)
                try? await FileOperations(session: slowSession).remove([remote])
            }
            try? await FileOperations(session: session).remove([remote])
            let megabytes = Double(bytes) / 1e6
            return Figures(
                sizeBytes: bytes, uploadMBps: megabytes / upload, downloadMBps: megabytes / download,
                downloadSlowBlobberRatio: slow?.ratio, peakRSSMiB: Self.peakRSSMiB(), uploadPeakRSSMiB: uploadPeak,
                uploadSeconds: upload,
                downloadSeconds: download, slowDownloadSeconds: slow?.seconds)
        }
    }

    /// A pseudo-random file of `size` bytes (incompressible, no two stripes alike).
    static func writePattern(to path: String, size: UInt64) throws(ClientError) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw .localFile(path: path, reason: "cannot create") }
        defer { try? handle.close() }
        var remaining = size
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        while remaining > 0 {
            let count = Int(min(remaining, 4 << 20))
            seed &+= 1
            handle.write(Data(benchBytes(count, seed: seed)))
            remaining -= UInt64(count)
        }
    }

    /// VmHWM from /proc/self/status.
    static func peakRSSMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kib / 1024
    }
}
