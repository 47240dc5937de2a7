import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Foundation
public import StorageProtocol

/// Creating and reading allocations.
public struct AllocationService: Sendable {
    public let ledger: LedgerClient
    public let owner: SigningKey
    let transport: HTTPTransport

    public init(ledger: LedgerClient, owner: SigningKey, transport: HTTPTransport = HTTPTransport()) {
        self.ledger = ledger
        self.owner = owner
        self.transport = transport
    }

    public struct Request: Sendable {
        public var dataShards: Int
        public var parityShards: Int
        public var size: UInt64
        /// Milliseconds from now.
        public var lifetime: Int64
        public var regions: Set<String>
        /// Chosen by the caller instead of by `BlobberSelection` (shard order).
        public var blobbers: [BlobberID]?
        /// At least this many regions, and no region whose loss leaves fewer than `k` shards (0: no rule).
        public var spreadRegions: Int

        public init(
            dataShards: Int, parityShards: Int, size: UInt64, lifetime: Int64, regions: Set<String> = [],
            blobbers: [BlobberID]? = nil, spreadRegions: Int = 0
        ) {
            self.dataShards = dataShards
            self.parityShards = parityShards
            self.size = size
            self.lifetime = lifetime
            self.regions = regions
            self.blobbers = blobbers
            self.spreadRegions = spreadRegions
        }

        var shardSize: UInt64 { size / UInt64(dataShards) + (size % UInt64(dataShards) == 0 ? 0 : 1) }
    }

    /// Chooses blobbers (probing each one's latency), locks the write pool and creates the allocation.
    public func create(_ request: Request) async throws(ClientError) -> AllocationView {
        guard request.dataShards >= 1, request.parityShards >= 0, request.dataShards + request.parityShards <= 256
        else {
            throw .invalidArgument("--data must be at least 1, --parity at least 0, and together at most 256")
        }
        guard request.size > 0 else { throw .invalidArgument("--size must be positive") }
        let all = try await ledger.blobbers()
        let chosen: [BlobberRecord]
        if let explicit = request.blobbers {
            chosen = try explicit.map { id throws(ClientError) in
                guard let record = all.first(where: { $0.id == id }) else {
                    throw .invalidArgument("blobber \(id.short) is not registered on the ledger")
                }
                return record
            }
            guard chosen.count == request.dataShards + request.parityShards else {
                throw .invalidArgument(
                    "--blobbers names \(chosen.count) blobbers; --data + --parity is \(request.dataShards + request.parityShards)"
                )
            }
            if request.spreadRegions > 0,
                let problem = BlobberSelection.spreadProblem(
                    chosen, regions: request.spreadRegions, dataShards: request.dataShards)
            {
                throw .invalidArgument("--blobbers: \(problem)")
            }
        } else {
            let candidates = await probe(all)
            chosen = try BlobberSelection(
                count: request.dataShards + request.parityShards, shardSize: request.shardSize,
                regions: request.regions,
                spread: request.spreadRegions > 0 ? (request.spreadRegions, request.dataShards) : nil
            ).choose(from: candidates)
        }
        var priceSum: UInt64 = 0
        for record in chosen {
            let (sum, overflow) = priceSum.addingReportingOverflow(record.writePrice)
            guard !overflow else { throw .invalidArgument("the chosen blobbers' prices overflow") }
            priceSum = sum
        }
        guard let writePool = Token.costRoundedUp(bytes: request.shardSize, pricePerGiB: priceSum) else {
            throw .invalidArgument("the write pool for this size does not fit 64 bits")
        }
        let payload = CreateAllocationPayload(
            dataShards: request.dataShards, parityShards: request.parityShards, size: request.size,
            expiry: Clock.nowMillis + request.lifetime, blobbers: chosen.map(\.id), writePool: writePool)
        let receipt = try await ledger.submit(.createAllocation, payload, key: owner)
        guard let id = receipt.result.allocationID else {
            throw .ledgerRefused(code: "client.bad_receipt", message: "the receipt carries no allocation id")
        }
        return try await ledger.allocation(id)
    }

    /// Times `GET /health` on every blobber, all at once (2 s limit each).
    func probe(_ records: [BlobberRecord]) async -> [BlobberSelection.Candidate] {
        let transport = self.transport
        return await FanOut.run(records.indices, slots: records.count) { index in
            let record = records[index]
            let clock = ContinuousClock()
            let start = clock.now
            var request = HTTPClientRequest(url: record.url + "/health")
            request.headers.add(name: "connection", value: "close")
            let ok = (try? await transport.send(request, timeout: .seconds(2), limit: 4096))?.status == 200
            return BlobberSelection.Candidate(record: record, latency: ok ? clock.now - start : nil)
        }.successes.map(\.value)
    }
}
