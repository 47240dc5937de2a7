import Merkle
import StorageProtocol

extension FuzzTarget {
    /// `ShardProof` JSON (download and challenge answers) verified against a 13-block shard: whatever
    /// verifies with the right leaf count must be the honest proof of that block. (The leaf count is
    /// not bound by the hashes: a block in a perfect left subtree proves the same under other counts,
    /// so callers compare it with the committed `block_count`, as `ChallengeProof.verify` and the
    /// client's `BlockReader` do.)
    static let shardProof = FuzzTarget(name: "shard-proof") { bytes in
        guard let proof = decodeJSON(ShardProof.self, bytes) else { return }
        requireRoundTrip(proof)
        let tree = Fixture.shardTree
        let inTree = proof.blockIndex >= 0 && proof.blockIndex < tree.blockCount
        let leaf = inTree ? tree.leaves[proof.blockIndex] : ShardTree.leafHash([UInt8]())
        if let root = try? proof.computedRoot(leafHash: leaf) {
            require((try? proof.verify(leafHash: leaf, against: root)) != nil, "a proof does not verify to its own root")
        }
        if proof.leafCount == tree.blockCount, (try? proof.verify(leafHash: leaf, against: tree.root)) != nil {
            require(inTree && proof == tree.proof(forBlock: proof.blockIndex), "a forged block proof verified")
        }
        if inTree, proof.leafCount == tree.blockCount {
            let block = Fixture.blocks(ofFile: 200, count: 13)[proof.blockIndex]
            if (try? proof.verify(block: block, against: tree.root)) != nil {
                require(proof == tree.proof(forBlock: proof.blockIndex), "a forged block proof verified")
            }
        }
    } seeds: {
        [0, 4, 7, 8, 11, 12].map { encodeJSON(Fixture.shardTree.proof(forBlock: $0)) }
    }

    /// `ShardRangeProof` JSON (the `x-blob-range-proof` header carries its hashes) against the same
    /// shard; whatever verifies with the right leaf count must be the honest proof of that range.
    static let shardRangeProof = FuzzTarget(name: "shard-range-proof") { bytes in
        guard let proof = decodeJSON(ShardRangeProof.self, bytes) else { return }
        requireRoundTrip(proof)
        let again = try? ShardRangeProof(
            start: proof.start, count: proof.count, leafCount: proof.leafCount, serializedHashes: proof.serializedHashes)
        require(again == proof, "serialized hashes do not round-trip")
        let tree = Fixture.shardTree
        let (end, overflow) = proof.start.addingReportingOverflow(proof.count)
        let inTree = !overflow && proof.start >= 0 && proof.count > 0 && end <= tree.blockCount
        // Outside the tree, leaf hashes of the claimed count (bounded) still drive the checks past the count test.
        let leaves =
            inTree
            ? Array(tree.leaves[proof.start..<end])
            : [Hash](repeating: ShardTree.leafHash([UInt8]()), count: (1...64).contains(proof.count) ? proof.count : 1)
        if (try? proof.verify(leafHashes: leaves, against: tree.root)) != nil, proof.leafCount == tree.blockCount {
            require(inTree && proof == tree.proof(forBlocks: proof.start..<end), "a forged range proof verified")
        }
    } seeds: {
        [0..<1, 0..<13, 3..<7, 12..<13, 5..<12, 1..<2].map { encodeJSON(Fixture.shardTree.proof(forBlocks: $0)) }
    }

    /// Stored leaf files (`ShardTree(serializedLeaves:)`): any multiple of 32 bytes is a tree whose
    /// every block and range proof verifies.
    static let shardTree = FuzzTarget(name: "shard-tree") { bytes in
        guard let tree = try? ShardTree(serializedLeaves: bytes) else {
            require(bytes.count % Hash.byteCount != 0, "a whole number of hashes was refused")
            return
        }
        require(tree.serializedLeaves == bytes, "leaves do not round-trip")
        require(tree.blockCount == bytes.count / Hash.byteCount, "block count")
        guard tree.blockCount > 0 else {
            require(tree.root == ShardTree.emptyRoot, "empty root")
            return
        }
        let first = bytes.count > 0 ? Int(bytes[0]) % tree.blockCount : 0
        let last = bytes.count > 1 ? Int(bytes[bytes.count - 1]) % tree.blockCount : tree.blockCount - 1
        for index in Set([0, first, last, tree.blockCount - 1]) {
            let proof = tree.proof(forBlock: index)
            require((try? proof.verify(leafHash: tree.leaves[index], against: tree.root)) != nil, "block \(index)")
        }
        let range = min(first, last)..<(max(first, last) + 1)
        let rangeProof = tree.proof(forBlocks: range)
        require(
            (try? rangeProof.verify(leafHashes: Array(tree.leaves[range]), against: tree.root)) != nil, "range \(range)")
        let decoded = try? ShardTree.decodeHashes(rangeProof.serializedHashes)
        require(decoded == rangeProof.hashes, "range hashes do not round-trip")
    } seeds: {
        [1, 2, 3, 5, 13].map { Fixture.tree(ofFile: 100 + $0, count: $0).serializedLeaves }
    }
}
