import AsyncHTTPClient
import Foundation
import Merkle
import NIOCore
import NIOHTTP1
import StorageProtocol

/// A lazily generated body: `count` chunks of the same 1 MiB buffer, so the sender holds 1 MiB.
struct RepeatedChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let chunk: ByteBuffer
    let count: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let chunk: ByteBuffer
        var remaining: Int
        mutating func next() async -> ByteBuffer? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunk: chunk, remaining: count) }
}

extension BlobberBench {
    /// Streams one `mebibytes` MiB shard over loopback HTTP into a real `blobber serve` child process
    /// (started from `executable`, its allocation seeded in its database so no ledger is needed) and
    /// reports the upload rate and the child's peak resident memory (`VmHWM`).
    public static func serverUpload(executable: String, mebibytes: Int) async throws -> [Result] {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let key = SigningKey.generate()
        let owner = SigningKey.generate()
        var configuration = BlobberConfiguration(dataDirectory: folder)
        configuration.port = 0
        configuration.ledgerURL = "http://127.0.0.1:9"
        try KeyFile.write(key, to: configuration.keyPath)
        try configuration.commentedYAML.write(toFile: folder + "/blobber.yaml", atomically: true, encoding: .utf8)
        let total = UInt64(mebibytes) << 20
        let now = BlobberNode.now()
        let info = AllocationInfo(
            id: AllocationID(SHA256.hash(Array("rss".utf8))), blobberID: key.publicKey.blobberID,
            ownerKey: owner.publicKey, dataShards: 1, size: total, share: total, createdAt: now - 1000,
            expiry: now + 3_600_000)
        do {
            let database = try BlobberDatabase(path: folder + "/blobber.sqlite")
            try await database.insertAllocation(info)
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--config", folder + "/blobber.yaml", "--port", "0", "--log-level", "critical"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        defer {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
        var text = ""
        var port: Int?
        let deadline = Date().addingTimeInterval(60)
        while port == nil, Date() < deadline, process.isRunning {
            text += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on http://") }) {
                port = Int(line.split(separator: ":").last ?? "")
            }
        }
        guard let port else { throw BlobberError.malformed("blobber serve did not start: \(text)") }

        let target = "/v1/allocations/\(info.id.hex)/uploads/rss?offset=0"
        let auth = RequestAuth.sign(
            for: key.publicKey.blobberID, method: "PUT", target: target, body: nil, timestamp: BlobberNode.now(),
            key: owner)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(target)")
        request.method = .PUT
        for (name, value) in auth.headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: UploadStatus.shardSizeHeader, value: "\(total)")
        var chunk = ByteBufferAllocator().buffer(capacity: 1 << 20)
        chunk.writeRepeatingByte(0x5a, count: 1 << 20)
        request.body = .stream(RepeatedChunks(chunk: chunk, count: mebibytes), length: .known(Int64(total)))
        let start = ContinuousClock.now
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(3600))
        let answer = try await response.body.collect(upTo: 1 << 20)
        let elapsed = seconds(ContinuousClock.now - start)
        let status = try JSONDecoder().decode(UploadStatus.self, from: Data(answer.readableBytesView))
        guard status.complete else { throw BlobberError.malformed("upload incomplete: \(status)") }
        let peak = try Self.peakResidentKiB(pid: pid)
        return [
            Result(name: "http_upload_\(mebibytes)MiB_throughput", value: Double(total) / 1e6 / elapsed, unit: "MB/s"),
            Result(name: "http_upload_\(mebibytes)MiB_server_peak_rss", value: Double(peak) / 1024, unit: "MiB"),
        ]
    }

    /// `VmHWM` of `/proc/<pid>/status`, in KiB.
    static func peakResidentKiB(pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let value = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        else { throw BlobberError.malformed("no VmHWM in /proc/\(pid)/status") }
        return value
    }
}
