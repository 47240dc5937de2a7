import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `blob bench gateway`: the key-value gateway as its callers see it, over HTTP to a running `gateway
/// serve`: `count` writes of `size` bytes (`PUT /kv/KEY`, each committed before it answers) from one
/// long-lived client, then `count` retrieves of one cached key (`GET /retrieve/KEY`), then `burst`
/// writes from `clients` clients at once (each its own HTTP client and connection), every one of which
/// is read back and compared. Each operation is timed on its own; figures are percentiles.
public enum GatewayBenchmark {
    public struct Figures: Encodable, Sendable {
        public var count: Int
        public var sizeBytes: Int
        public var putP50Milliseconds: Double
        public var putP99Milliseconds: Double
        public var cachedRetrieveP50Milliseconds: Double
        public var cachedRetrieveP99Milliseconds: Double
        public var burstPuts: Int
        public var burstClients: Int
        public var burstStored: Int
        public var burstSeconds: Double
        public var burstPutP50Milliseconds: Double
        public var burstPutP99Milliseconds: Double

        enum CodingKeys: String, CodingKey {
            case count
            case sizeBytes = "size_bytes"
            case putP50Milliseconds = "put_p50_ms"
            case putP99Milliseconds = "put_p99_ms"
            case cachedRetrieveP50Milliseconds = "cached_retrieve_p50_ms"
            case cachedRetrieveP99Milliseconds = "cached_retrieve_p99_ms"
            case burstPuts = "burst_puts"
            case burstClients = "burst_clients"
            case burstStored = "burst_stored"
            case burstSeconds = "burst_s"
            case burstPutP50Milliseconds = "burst_put_p50_ms"
            case burstPutP99Milliseconds = "burst_put_p99_ms"
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run(
        url: String, apiKey: String, count: Int, size: Int, burst: Int, clients: Int
    ) async throws -> Figures {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let run = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        let clock = ContinuousClock()
        var puts: [Double] = []
        var retrieves: [Double] = []
        try await withHTTPClient { http in
            for index in 0..<count {
                let value = benchBytes(size, seed: UInt64(index) &+ 11)
                let start = clock.now
                try await put(http, base + "/kv/\(run)/one/k\(index)", value, apiKey: apiKey)
                puts.append((clock.now - start).seconds * 1000)
            }
            // One key read again and again: the first read fills the cache (a write fills it too).
            let cachedKey = "\(run)/one/k0"
            let expected = benchBytes(size, seed: 11)
            for index in 0...count {
                let start = clock.now
                let answer = try await get(http, base + "/retrieve/\(cachedKey)", apiKey: apiKey)
                if index > 0 { retrieves.append((clock.now - start).seconds * 1000) }
                guard try retrievedBytes(answer) == expected else {
                    throw Failure(description: "GET /retrieve/\(cachedKey) answered other bytes than were stored")
                }
            }
        }

        // The burst: `clients` clients, each with its own connection, `burst` writes in all.
        let burstStart = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for client in 0..<clients {
                let mine = Array(stride(from: client, to: burst, by: clients))
                group.addTask {
                    var times: [Double] = []
                    try await withHTTPClient { http in
                        for index in mine {
                            let start = clock.now
                            try await put(
                                http, base + "/kv/\(run)/burst/k\(index)",
                                benchBytes(size, seed: UInt64(index) &+ 100_003), apiKey: apiKey)
                            times.append((clock.now - start).seconds * 1000)
                        }
                    }
                    return times
                }
            }
            var all: [Double] = []
            for try await times in group { all += times }
            return all
        }
        let burstSeconds = (clock.now - burstStart).seconds
        // Every burst write is read back (raw bytes) and compared.
        var stored = 0
        try await withHTTPClient { check in
            for index in 0..<burst {
                let bytes = try await get(check, base + "/kv/\(run)/burst/k\(index)", apiKey: apiKey)
                if bytes == benchBytes(size, seed: UInt64(index) &+ 100_003) { stored += 1 }
            }
        }
        return Figures(
            count: count, sizeBytes: size, putP50Milliseconds: SmallValueBenchmark.percentile(puts, 0.5),
            putP99Milliseconds: SmallValueBenchmark.percentile(puts, 0.99),
            cachedRetrieveP50Milliseconds: SmallValueBenchmark.percentile(retrieves, 0.5),
            cachedRetrieveP99Milliseconds: SmallValueBenchmark.percentile(retrieves, 0.99), burstPuts: burst,
            burstClients: clients, burstStored: stored, burstSeconds: burstSeconds,
            burstPutP50Milliseconds: SmallValueBenchmark.percentile(latencies, 0.5),
            burstPutP99Milliseconds: SmallValueBenchmark.percentile(latencies, 0.99))
    }

    public static func text(_ figures: Figures) -> String {
        func f(_ value: Double) -> String { String(format: "%.2f", value) }
        return [
            "\(figures.count) PUT /kv of \(figures.sizeBytes) B: p50 \(f(figures.putP50Milliseconds)) ms, p99 \(f(figures.putP99Milliseconds)) ms",
            "\(figures.count) cached GET /retrieve: p50 \(f(figures.cachedRetrieveP50Milliseconds)) ms, p99 \(f(figures.cachedRetrieveP99Milliseconds)) ms",
            "\(figures.burstPuts) PUTs from \(figures.burstClients) clients at once: \(figures.burstStored) stored and read back, \(f(figures.burstSeconds)) s, p50 \(f(figures.burstPutP50Milliseconds)) ms, p99 \(f(figures.burstPutP99Milliseconds)) ms",
        ].joined(separator: "\n")
    }

    /// Runs `body` with an HTTP client of its own (its own connections), shut down however `body` ends.
    static func withHTTPClient(_ body: (HTTPClient) async throws -> Void) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    static func put(_ http: HTTPClient, _ url: String, _ value: [UInt8], apiKey: String) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .PUT
        request.headers.add(name: "Authorization", value: "Bearer " + apiKey)
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.body = .bytes(ByteBuffer(bytes: value))
        let response = try await http.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .created || response.status == .ok else {
            throw Failure(description: "PUT \(url): \(response.status) \(String(buffer: body))")
        }
    }

    static func get(_ http: HTTPClient, _ url: String, apiKey: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer " + apiKey)
        let response = try await http.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status == .ok else {
            throw Failure(description: "GET \(url): \(response.status) \(String(buffer: body))")
        }
        return Array(body.readableBytesView)
    }

    /// The value of a `/retrieve` answer: a string, or base64 with `"encoding": "base64"`.
    static func retrievedBytes(_ answer: [UInt8]) throws -> [UInt8] {
        guard let object = try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any],
            let value = object["value"] as? String
        else { throw Failure(description: "a /retrieve answer without a string value") }
        if object["encoding"] as? String == "base64" {
            guard let data = Data(base64Encoded: value) else { throw Failure(description: "bad base64 in /retrieve") }
            return Array(data)
        }
        return Array(value.utf8)
    }
}
