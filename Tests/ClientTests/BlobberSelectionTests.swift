import Client
import Merkle
import StorageProtocol
import TestProcesses
import Testing

@Suite struct BlobberSelectionTests {
    static func candidate(
        _ name: String, region: String, price: UInt64 = 100, free: UInt64 = 1 << 30, latency: Int? = 5
    ) -> BlobberSelection.Candidate {
        let key = try! SigningKey(seed: SHA256.hash(Array(name.utf8)).bytes)
        return BlobberSelection.Candidate(
            record: BlobberRecord(
                id: key.publicKey.blobberID, publicKey: key.publicKey, url: "http://\(name)", capacity: free + 10,
                used: 10, readPrice: 1, writePrice: price, region: region, stake: 1, registeredAt: 0),
            latency: latency.map { .milliseconds($0) })
    }

    @Test func spreadsOverRegionsBeforeDoublingUp() throws {
        let candidates =
            (0..<6).map { Self.candidate("eu\($0)", region: "eu", price: 1) } + [
                Self.candidate("us", region: "us", price: 500), Self.candidate("ap", region: "ap", price: 900),
            ]
        let chosen = try BlobberSelection(count: 4, shardSize: 1 << 20).choose(from: candidates)
        #expect(Set(chosen.map(\.region)) == ["eu", "us", "ap"])
        #expect(chosen.filter { $0.region == "eu" }.count == 2)
    }

    /// `--spread-regions`: 4+2 over three regions of two keeps any one region's loss at 4 shards; over two
    /// regions (three each) a lost region leaves 3 < 4, refused, as is too few regions.
    @Test func spreadRegionsRefusesAPlacementThatOneRegionsLossWouldBreak() throws {
        let three = ["a", "b", "c"].flatMap { region in (0..<2).map { Self.candidate("\(region)\($0)", region: region) } }
        let chosen = try BlobberSelection(count: 6, shardSize: 1 << 20, spread: (regions: 3, dataShards: 4))
            .choose(from: three)
        #expect(Dictionary(grouping: chosen, by: \.region).mapValues(\.count) == ["a": 2, "b": 2, "c": 2])
        let two = ["a", "b"].flatMap { region in (0..<3).map { Self.candidate("\(region)\($0)", region: region) } }
        #expect(throws: ClientError.self) {
            try BlobberSelection(count: 6, shardSize: 1 << 20, spread: (regions: 2, dataShards: 4)).choose(from: two)
        }
        #expect(throws: ClientError.self) {
            try BlobberSelection(count: 6, shardSize: 1 << 20, spread: (regions: 4, dataShards: 3)).choose(from: three)
        }
        // Without the rule the same two-region placement is taken.
        #expect(try BlobberSelection(count: 6, shardSize: 1 << 20).choose(from: two).count == 6)
        #expect(BlobberSelection.spreadProblem(chosen, regions: 3, dataShards: 4) == nil)
    }

    @Test func prefersCheapFastAndRoomyAndSkipsFullOrDeadOnes() throws {
        let candidates = [
            Self.candidate("cheap-fast", region: "x", price: 10, latency: 1),
            Self.candidate("pricey", region: "x", price: 500, latency: 1),
            Self.candidate("priciest", region: "x", price: 1_000, latency: 1),
            Self.candidate("slow", region: "x", price: 10, latency: 900),
            Self.candidate("full", region: "x", price: 1, free: 100, latency: 1),
            Self.candidate("dead", region: "x", price: 1, latency: nil),
        ]
        let chosen = try BlobberSelection(count: 2, shardSize: 1 << 20).choose(from: candidates)
        #expect(chosen.map(\.url) == ["http://cheap-fast", "http://pricey"])
        #expect(throws: ClientError.self) {
            try BlobberSelection(count: 5, shardSize: 1 << 20).choose(from: candidates)
        }
    }

    @Test func regionFilter() throws {
        let candidates = [
            Self.candidate("a", region: "eu"), Self.candidate("b", region: "us"), Self.candidate("c", region: "eu"),
        ]
        let chosen = try BlobberSelection(count: 2, shardSize: 1, regions: ["eu"]).choose(from: candidates)
        #expect(Set(chosen.map(\.region)) == ["eu"])
    }

    @Test func sizesAndDurationsParse() {
        #expect(Sizes.parseBytes("2GiB") == 2 << 30)
        #expect(Sizes.parseBytes("1.5GB") == 1_500_000_000)
        #expect(Sizes.parseBytes("4096") == 4096)
        #expect(Sizes.parseBytes("12 parsecs") == nil)
        #expect(Sizes.parseDuration("30d") == Optional(Int64(2_592_000_000)))
        #expect(Sizes.parseDuration("7x") == nil)
        #expect(Sizes.parseDuration("0d") == nil)
    }
}
