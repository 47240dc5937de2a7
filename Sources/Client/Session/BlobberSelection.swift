public import StorageProtocol

/// Picks an allocation's blobbers from the ledger's list (docs/PROTOCOL.md section 10, "Choosing blobbers").
///
/// A blobber is eligible when it has room for one shard (`capacity − used ≥ shard size`), answered the
/// latency probe, and is in one of the requested regions (when any are given). Eligible blobbers are
/// scored by price, latency and free space (each normalised to 0…1 over the eligible set, lower is
/// better: `price + latency − free/2`), then taken greedily, always from the regions used least so
/// far, so shards spread over as many regions as there are.
public struct BlobberSelection: Sendable {
    public struct Candidate: Sendable {
        public var record: BlobberRecord
        /// Round trip of `GET /health`; nil when it did not answer.
        public var latency: Duration?

        public init(record: BlobberRecord, latency: Duration?) {
            self.record = record
            self.latency = latency
        }

        var free: UInt64 { record.capacity > record.used ? record.capacity - record.used : 0 }
    }

    public var count: Int
    public var shardSize: UInt64
    public var regions: Set<String>
    /// Failure domains (zstor's redundant groups): when set, the shards must span at least `regions`
    /// regions and losing any one region must leave at least `dataShards` shards.
    public var spread: (regions: Int, dataShards: Int)?

    public init(count: Int, shardSize: UInt64, regions: Set<String> = [], spread: (regions: Int, dataShards: Int)? = nil) {
        self.count = count
        self.shardSize = shardSize
        self.regions = regions
        self.spread = spread
    }

    /// The chosen blobbers in shard order (best first, so data shards go to the best).
    public func choose(from candidates: [Candidate]) throws(ClientError) -> [BlobberRecord] {
        var reasons: [String: Int] = [:]
        let eligible = candidates.filter { candidate in
            if candidate.free < shardSize {
                reasons["too full", default: 0] += 1
                return false
            }
            if candidate.latency == nil {
                reasons["unreachable", default: 0] += 1
                return false
            }
            if !regions.isEmpty && !regions.contains(candidate.record.region) {
                reasons["outside the regions asked for", default: 0] += 1
                return false
            }
            return true
        }
        guard eligible.count >= count else {
            let detail = reasons.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            throw .notEnoughBlobbers(
                needed: count, suitable: eligible.count,
                detail: "\(candidates.count) registered" + (detail.isEmpty ? "" : "; \(detail)"))
        }
        let scored = score(eligible)
        var remaining = Array(scored.indices)
        var regionUse: [String: Int] = [:]
        var chosen: [BlobberRecord] = []
        while chosen.count < count, !remaining.isEmpty {
            let leastUsed = remaining.map { regionUse[scored[$0].candidate.record.region, default: 0] }.min()!
            let pick = remaining.first { regionUse[scored[$0].candidate.record.region, default: 0] == leastUsed }!
            remaining.removeAll { $0 == pick }
            let record = scored[pick].candidate.record
            regionUse[record.region, default: 0] += 1
            chosen.append(record)
        }
        if let spread, let problem = Self.spreadProblem(chosen, regions: spread.regions, dataShards: spread.dataShards) {
            // Taking from the least used region first spreads as evenly as the eligible blobbers allow, so
            // a choice that fails here has no better one.
            throw .notEnoughBlobbers(needed: count, suitable: eligible.count, detail: problem)
        }
        return chosen
    }

    /// Why `records` (in shard order) break the `--spread-regions` rule, nil when they keep it: at least
    /// `regions` regions, and no region holding so many shards that losing it leaves fewer than `dataShards`.
    public static func spreadProblem(_ records: [BlobberRecord], regions: Int, dataShards: Int) -> String? {
        let use = Dictionary(grouping: records, by: \.region).mapValues(\.count)
        let largest = use.values.max() ?? 0
        guard use.count < regions || records.count - largest < dataShards else { return nil }
        let layout = use.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        return "the shards would sit in \(use.count) region(s) (\(layout)); --spread-regions \(regions) needs at "
            + "least \(regions) regions and no region holding more than \(records.count - dataShards) shards, so that "
            + "losing one leaves \(dataShards); register blobbers in more regions, use fewer parity shards, or lower "
            + "--spread-regions"
    }

    /// Eligible candidates sorted by score (lower is better), ties by id.
    func score(_ eligible: [Candidate]) -> [(candidate: Candidate, score: Double)] {
        func normalised(_ values: [Double]) -> [Double] {
            guard let low = values.min(), let high = values.max(), high > low else { return values.map { _ in 0 } }
            return values.map { ($0 - low) / (high - low) }
        }
        let prices = normalised(eligible.map { Double($0.record.writePrice) })
        let latencies = normalised(
            eligible.map { Double($0.latency!.components.attoseconds) / 1e18 + Double($0.latency!.components.seconds) })
        let free = normalised(eligible.map { Double($0.free) })
        return eligible.indices.map { index in
            (eligible[index], prices[index] + latencies[index] - free[index] / 2)
        }.sorted { $0.score != $1.score ? $0.score < $1.score : $0.candidate.record.id < $1.candidate.record.id }
    }
}
