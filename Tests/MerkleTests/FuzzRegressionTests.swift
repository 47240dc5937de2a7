import Merkle
import Testing

/// Inputs the fuzz targets (`Fuzz/`, `scripts/fuzz.sh`) found; each once trapped or was accepted.
@Suite struct MerkleFuzzRegressionTests {
    let tree = ShardTree(leaves: (0..<13).map { ShardTree.leafHash([UInt8($0)]) })

    /// `shard-range-proof`: a leaf count of `Int.min` overflowed `leafCount - count` in the bounds check.
    @Test(arguments: [Int.min, Int.min + 1, -1, 0])
    func rangeProofWithHostileLeafCountIsRefused(leafCount: Int) throws {
        let json = #"{"count":1,"hashes":[],"leaf_count":\#(leafCount),"start":0}"#
        let proof = try JSONCoding.decode(ShardRangeProof.self, from: json)
        #expect(throws: ShardProofError.rangeOutOfBounds(start: 0, count: 1, leafCount: leafCount)) {
            try proof.verify(leafHashes: [tree.leaves[0]], against: tree.root)
        }
    }
}
