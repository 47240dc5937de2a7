import COpenSSLCrypto
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The CPU an upload or download of `bytes` cannot avoid, done by the C libraries alone in this process
/// and measured in CPU-seconds (user + system): the floor `blob bench upload` holds the network's CPU
/// against, measured in the same run so a busy machine moves both alike.
///
/// - upload: SHA-256 of every shard byte twice (the client hashes what it sends, the blobber what it
///   receives: `1.5 × bytes` each way for 4+2), Reed-Solomon 4+2 encoding of `bytes`, one pass of the
///   shard bytes through a loopback TCP connection (both ends), and writing them to a file with
///   `fdatasync` (the blobbers).
/// - download: SHA-256 of the data shards once (the client verifies every block), reading them from the
///   page cache (the blobbers), one loopback pass of them, and writing the file (the client).
public struct CPUFloor: Encodable, Sendable {
    public var sha256SecondsPerGiB: Double
    public var encodeSecondsPerGiB: Double
    public var loopbackSecondsPerGiB: Double
    public var writeSecondsPerGiB: Double
    public var readSecondsPerGiB: Double

    enum CodingKeys: String, CodingKey {
        case sha256SecondsPerGiB = "sha256_cpu_s_per_GiB"
        case encodeSecondsPerGiB = "rs_encode_4_2_cpu_s_per_GiB"
        case loopbackSecondsPerGiB = "loopback_cpu_s_per_GiB"
        case writeSecondsPerGiB = "write_fdatasync_cpu_s_per_GiB"
        case readSecondsPerGiB = "cached_read_cpu_s_per_GiB"
        case uploadSecondsPerGiB = "upload_cpu_s_per_GiB"
        case downloadSecondsPerGiB = "download_cpu_s_per_GiB"
    }

    /// Upload of 1 GiB in a 4+2 allocation.
    public var uploadSecondsPerGiB: Double {
        2 * 1.5 * sha256SecondsPerGiB + encodeSecondsPerGiB + 1.5 * (loopbackSecondsPerGiB + writeSecondsPerGiB)
    }
    /// Download of 1 GiB from its data shards.
    public var downloadSecondsPerGiB: Double {
        sha256SecondsPerGiB + readSecondsPerGiB + loopbackSecondsPerGiB + writeSecondsPerGiB
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sha256SecondsPerGiB, forKey: .sha256SecondsPerGiB)
        try container.encode(encodeSecondsPerGiB, forKey: .encodeSecondsPerGiB)
        try container.encode(loopbackSecondsPerGiB, forKey: .loopbackSecondsPerGiB)
        try container.encode(writeSecondsPerGiB, forKey: .writeSecondsPerGiB)
        try container.encode(readSecondsPerGiB, forKey: .readSecondsPerGiB)
        try container.encode(uploadSecondsPerGiB, forKey: .uploadSecondsPerGiB)
        try container.encode(downloadSecondsPerGiB, forKey: .downloadSecondsPerGiB)
    }

    /// Measures each part over `sample` bytes (at least 64 MiB) and scales to a GiB; the file passes use
    /// a temporary file in `scratch`.
    public static func measure(sample: Int = 256 << 20, scratch: String) -> CPUFloor {
        let sample = max(sample, 64 << 20)
        let scale = Double(1 << 30) / Double(sample)
        let path = scratch + "/cpu-floor-\(UUID().uuidString)"
        defer { unlink(path) }
        return CPUFloor(
            sha256SecondsPerGiB: cpu { sha256(sample) } * scale,
            encodeSecondsPerGiB: cpu { encode(sample) } * scale,
            loopbackSecondsPerGiB: cpu { loopback(sample) } * scale,
            writeSecondsPerGiB: cpu { write(sample, to: path) } * scale,
            readSecondsPerGiB: cpu { read(path) } * scale)
    }

    /// `bytes` written to a new file at `path` in 1 MiB calls, then `fdatasync`.
    static func write(_ bytes: Int, to path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let chunk = benchBytes(1 << 20, seed: 11)
        chunk.withUnsafeBytes { raw in
            for _ in 0..<(bytes / raw.count) where Glibc.write(descriptor, raw.baseAddress, raw.count) != raw.count { return }
        }
        fdatasync(descriptor)
    }

    /// The file at `path` read in 1 MiB calls (from the page cache: it was just written).
    static func read(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while buffer.withUnsafeMutableBytes({ Glibc.read(descriptor, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// This process's CPU-seconds spent in `body`.
    static func cpu(_ body: () -> Void) -> Double {
        let before = processCPUSeconds()
        body()
        return processCPUSeconds() - before
    }

    /// User + system CPU of this process.
    public static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// User + system CPU of process `pid` from `/proc/PID/stat` (nil when it is gone).
    public static func processCPUSeconds(pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14 and stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func sha256(_ bytes: Int) {
        let block = benchBytes(64 << 10, seed: 5)
        var digest = [UInt8](repeating: 0, count: 32)
        block.withUnsafeBytes { raw in
            for _ in 0..<(bytes / block.count) {
                csha256_oneshot(raw.baseAddress, raw.count, &digest)
            }
        }
        precondition(digest != [UInt8](repeating: 0, count: 32))
    }

    static func encode(_ bytes: Int) {
        let encoder = RawISALEncoder(dataShards: 4, parityShards: 2, length: 1 << 20)
        for _ in 0..<(bytes / (4 << 20)) { encoder.encode() }
    }

    /// `bytes` through a TCP connection on 127.0.0.1, written in 64 KiB and read in 64 KiB on two threads.
    static func loopback(_ bytes: Int) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { return }
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(listener, socketAddress, length) == 0 && listen(listener, 1) == 0
                    && getsockname(listener, socketAddress, &length) == 0
            }
        }
        guard bound else { return }
        let target = address
        let sender = DispatchGroup()
        sender.enter()
        Thread.detachNewThread {
            defer { sender.leave() }
            let out = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(out) }
            var to = target
            let connected = withUnsafePointer(to: &to) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(out, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else { return }
            let chunk = benchBytes(64 << 10, seed: 9)
            var left = bytes
            chunk.withUnsafeBytes { raw in
                while left > 0 {
                    let sent = send(out, raw.baseAddress, min(left, raw.count), Int32(MSG_NOSIGNAL))
                    guard sent > 0 else { return }
                    left -= sent
                }
            }
        }
        let connection = accept(listener, nil, nil)
        if connection >= 0 {
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            var received = 0
            while received < bytes {
                let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { break }
                received += count
            }
            close(connection)
        }
        sender.wait()
    }
}
