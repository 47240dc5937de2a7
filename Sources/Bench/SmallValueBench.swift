public import Client
import Foundation
import NIOCore
import StorageProtocol

/// `blob bench small`: the latency of small values from one long-lived client (what a key-value gateway
/// sees): `count` writes of `size` bytes, each its own commit on the allocation's blobbers (`k + 1` at least,
/// as every write), then `count` verified reads of them in random order. Each operation is timed on its own;
/// the figures are percentiles over all of them, with the client's CPU-seconds per operation beside.
public enum SmallValueBenchmark {
    public struct Figures: Encodable, Sendable {
        public var count: Int
        public var sizeBytes: Int
        public var writeP50Milliseconds: Double
        public var writeP99Milliseconds: Double
        public var readP50Milliseconds: Double
        public var readP99Milliseconds: Double
        public var writesPerSecond: Double
        public var readsPerSecond: Double
        /// Client CPU (user + system) per operation, milliseconds.
        public var writeClientCPUMilliseconds: Double
        public var readClientCPUMilliseconds: Double

        enum CodingKeys: String, CodingKey {
            case count
            case sizeBytes = "size_bytes"
            case writeP50Milliseconds = "write_p50_ms"
            case writeP99Milliseconds = "write_p99_ms"
            case readP50Milliseconds = "read_p50_ms"
            case readP99Milliseconds = "read_p99_ms"
            case writesPerSecond = "writes_per_s"
            case readsPerSecond = "reads_per_s"
            case writeClientCPUMilliseconds = "write_client_cpu_ms"
            case readClientCPUMilliseconds = "read_client_cpu_ms"
        }
    }

    public static func run(client: BlobClient, count: Int, size: Int) async throws(ClientError) -> Figures {
        let folder = "/bench-small-\(UUID().uuidString.prefix(8))"
        let clock = ContinuousClock()
        var writes: [Double] = []
        var paths: [RemotePath] = []
        var values: [[UInt8]] = []
        let writeCPU = CPUFloor.processCPUSeconds()
        let writeStart = clock.now
        for index in 0..<count {
            let path = try RemotePath.parse("\(folder)/k\(index)")
            let value = benchBytes(size, seed: UInt64(index) &+ 77)
            let start = clock.now
            try await client.write(path, from: ByteSource(value))
            writes.append((clock.now - start).seconds * 1000)
            paths.append(path)
            values.append(value)
        }
        let writeWall = (clock.now - writeStart).seconds
        let writeCPUUsed = CPUFloor.processCPUSeconds() - writeCPU

        var reads: [Double] = []
        let order = Array(0..<count).shuffled()
        let readCPU = CPUFloor.processCPUSeconds()
        let readStart = clock.now
        for index in order {
            let start = clock.now
            var bytes: [UInt8] = []
            bytes.reserveCapacity(size)
            for try await chunk in client.read(paths[index]) { bytes += chunk.readableBytesView }
            reads.append((clock.now - start).seconds * 1000)
            guard bytes == values[index] else {
                throw .invalidArgument("read back \(paths[index]) differs from what was written")
            }
        }
        let readWall = (clock.now - readStart).seconds
        let readCPUUsed = CPUFloor.processCPUSeconds() - readCPU
        try? await client.delete(paths)
        return Figures(
            count: count, sizeBytes: size, writeP50Milliseconds: percentile(writes, 0.5),
            writeP99Milliseconds: percentile(writes, 0.99), readP50Milliseconds: percentile(reads, 0.5),
            readP99Milliseconds: percentile(reads, 0.99), writesPerSecond: Double(count) / writeWall,
            readsPerSecond: Double(count) / readWall, writeClientCPUMilliseconds: writeCPUUsed * 1000 / Double(count),
            readClientCPUMilliseconds: readCPUUsed * 1000 / Double(count))
    }

    public static func text(_ figures: Figures) -> String {
        func f(_ value: Double) -> String { String(format: "%.2f", value) }
        return [
            "\(figures.count) writes of \(figures.sizeBytes) B: p50 \(f(figures.writeP50Milliseconds)) ms, p99 \(f(figures.writeP99Milliseconds)) ms, \(f(figures.writesPerSecond))/s, client CPU \(f(figures.writeClientCPUMilliseconds)) ms each",
            "\(figures.count) verified reads:  p50 \(f(figures.readP50Milliseconds)) ms, p99 \(f(figures.readP99Milliseconds)) ms, \(f(figures.readsPerSecond))/s, client CPU \(f(figures.readClientCPUMilliseconds)) ms each",
        ].joined(separator: "\n")
    }

    /// Nearest-rank percentile.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }
}
