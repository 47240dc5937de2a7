import ArgumentParser
import Bench
import Client
import Foundation

/// `blob bench`: the subcommands parse their options and call the Bench target, which measures.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the system's speed; release builds only give meaningful figures.",
        subcommands: [CodecBench.self, UploadBench.self, SmallBench.self, GatewayBench.self])
}

/// `blob bench codec`: the per-core speed of every primitive on the data path, each next to the raw
/// library figure it is held against (measured by `Bench.CodecMeasurements`).
struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Measure erasure coding, hashing, the allocation trie, signatures and encryption on one core.")

    @Flag(help: "Print one JSON object per line.")
    var json = false

    @Option(help: "Seconds to spend on each measurement.")
    var seconds: Double = 1.5

    func validate() throws {
        guard seconds > 0, seconds <= 60 else { throw ValidationError("--seconds must be in (0, 60]") }
    }

    func run() throws {
        for measurement in CodecMeasurements(seconds: seconds).all {
            let result = measurement()
            print(result.printed(json: json))
        }
    }
}

/// `blob bench upload`: end-to-end figures against a running network (scripts/bench-client.sh starts
/// one), measured by `Bench.UploadBenchmark`.
struct UploadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload", abstract: "Upload and download one file through the default allocation and time both.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "File size, e.g. 1GiB.") var size: String = "1GiB"
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Option(help: "An allocation with one slow blobber: the same download there gives download_slow_blobber_ratio.")
    var slowAlloc: String?
    @Option(help: "Folder for the temporary file (default: the system's).") var scratch: String?
    @Option(name: .customLong("blobber-pid"), help: "A blobber process on this machine whose CPU counts (repeat).")
    var blobberPIDs: [Int32] = []

    func validate() throws {
        guard Sizes.parseBytes(size) ?? 0 > 0 else { throw ValidationError("--size must be like 1GiB") }
    }

    func run() async throws {
        try await runCommand(options, text: UploadBenchmark.text) { context throws(ClientError) in
            let session = try await context.session(alloc)
            let slowContext = context
            return try await UploadBenchmark.run(
                bytes: Sizes.parseBytes(size)!, scratch: scratch ?? FileManager.default.temporaryDirectory.path,
                session: session, blobberPIDs: blobberPIDs
            ) { () async throws(ClientError) -> AllocationSession? in
                guard let slowAlloc else { return nil }
                return try await slowContext.session(slowAlloc)
            }
        }
    }
}

/// `blob bench small`: small-value latency from one long-lived client against a running network, measured
/// by `Bench.SmallValueBenchmark`.
struct SmallBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "small",
        abstract: "Time many small writes (each its own commit) and verified reads from one client: p50 and p99.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Option(help: "Operations of each kind.") var count: Int = 1000
    @Option(help: "Value size, e.g. 4KiB.") var size: String = "4KiB"

    func validate() throws {
        guard (1...100_000).contains(count) else { throw ValidationError("--count must be in 1...100000") }
        guard let bytes = Sizes.parseBytes(size), (1...(64 << 20)).contains(bytes) else {
            throw ValidationError("--size must be between 1 byte and 64MiB")
        }
    }

    func run() async throws {
        try await runCommand(options, text: SmallValueBenchmark.text) { context throws(ClientError) in
            try await SmallValueBenchmark.run(
                client: try await context.client(alloc), count: count, size: Int(Sizes.parseBytes(size)!))
        }
    }
}

/// `blob bench gateway`: small-value latency through a running `gateway serve` (scripts/bench-gateway.sh
/// starts one), measured by `Bench.GatewayBenchmark`.
struct GatewayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Time key-value PUTs, cached retrieves and a burst of concurrent PUTs through a gateway.")

    @Option(help: "The gateway's URL, e.g. http://127.0.0.1:8081.") var url: String
    @Option(name: .customLong("api-key"), help: "A bearer API key of the gateway (gateway keys create).")
    var apiKey: String
    @Option(help: "Sequential PUTs, and cached retrieves.") var count: Int = 1000
    @Option(help: "Value size, e.g. 4KiB.") var size: String = "4KiB"
    @Option(help: "PUTs of the concurrent burst.") var burst: Int = 1000
    @Option(help: "Clients of the burst, each with its own connection.") var clients: Int = 50
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard (1...100_000).contains(count) else { throw ValidationError("--count must be in 1...100000") }
        guard (0...100_000).contains(burst) else { throw ValidationError("--burst must be in 0...100000") }
        guard (1...1000).contains(clients) else { throw ValidationError("--clients must be in 1...1000") }
        guard let bytes = Sizes.parseBytes(size), (1...(16 << 20)).contains(bytes) else {
            throw ValidationError("--size must be between 1 byte and 16MiB")
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("--url must be an http:// or https:// URL")
        }
    }

    func run() async throws {
        let figures = try await GatewayBenchmark.run(
            url: url, apiKey: apiKey, count: count, size: Int(Sizes.parseBytes(size)!), burst: burst, clients: clients)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(figures), as: UTF8.self))
        } else {
            print(GatewayBenchmark.text(figures))
        }
    }
}
