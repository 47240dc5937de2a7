import Merkle
import StorageProtocol
import Testing

/// The route table both the client and the blobber use: its targets are the paths of docs/PROTOCOL.md
/// section 8, and each router pattern, its parameters filled in, is the target the client builds.
@Suite struct BlobberRouteTests {
    let allocation = AllocationID(SHA256.hash(Array("route".utf8)))

    @Test func targetsAreTheDocumentedPaths() {
        let prefix = "/v1/allocations/" + allocation.hex
        #expect(BlobberRoute.allocation(allocation) == prefix)
        #expect(BlobberRoute.upload(allocation: allocation, uploadID: "u-1") == prefix + "/uploads/u-1")
        #expect(BlobberRoute.proofs(allocation: allocation) == prefix + "/proofs")
        #expect(BlobberRoute.commit(allocation: allocation) == prefix + "/commit")
        #expect(BlobberRoute.rollback(allocation: allocation) == prefix + "/rollback")
        #expect(BlobberRoute.state(allocation: allocation) == prefix + "/state")
        #expect(BlobberRoute.file(allocation: allocation) == prefix + "/file")
        #expect(BlobberRoute.list(allocation: allocation) == prefix + "/list")
        #expect(BlobberRoute.blocks(allocation: allocation) == prefix + "/blocks")
        #expect(
            [BlobberRoute.health, BlobberRoute.metrics, BlobberRoute.openAPI, BlobberRoute.info] == [
                "/health", "/metrics", "/openapi.json", "/v1/info",
            ])
    }

    @Test(arguments: [
        (BlobberRoute.Pattern.proofs, "proofs"), (BlobberRoute.Pattern.commit, "commit"),
        (BlobberRoute.Pattern.rollback, "rollback"), (BlobberRoute.Pattern.state, "state"),
        (BlobberRoute.Pattern.file, "file"), (BlobberRoute.Pattern.list, "list"),
        (BlobberRoute.Pattern.blocks, "blocks"), (BlobberRoute.Pattern.upload, "uploads/u-1"),
    ])
    func patternsFilledInAreTheTargets(pattern: String, rest: String) {
        let filled =
            pattern
            .replacing(":" + BlobberRoute.Parameter.allocation, with: allocation.hex)
            .replacing(":" + BlobberRoute.Parameter.upload, with: "u-1")
        #expect(BlobberRoute.allocations + "/" + filled == BlobberRoute.allocation(allocation) + "/" + rest)
    }

    @Test func headersAreTheDocumentedNames() {
        #expect(
            [
                BlobberHeader.shardSize, BlobberHeader.ticket, BlobberHeader.shardRoot, BlobberHeader.blockCount,
                BlobberHeader.rangeProof,
            ] == ["x-blob-shard-size", "x-blob-ticket", "x-blob-shard-root", "x-blob-block-count", "x-blob-range-proof"])
    }
}
