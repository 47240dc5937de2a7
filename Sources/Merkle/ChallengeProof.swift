/// A blobber's answer to a storage challenge: the trie walk a seed selects, down to one file and one
/// block of its shard, weighted by blocks.
///
/// Selection: `r = seed.leadingUInt64 % totalBlocks`; at an inner node go left when
/// `r < left.totalBlocks`, else subtract `left.totalBlocks` and go right; at the leaf, `r` is the
/// block index within that file's shard. Verification redoes this walk with the totals the proof
/// carries (which the root commits to), so the prover cannot pick the file or block.
///
/// JSON: `{"trie_proof": TrieProof, "block_index": n}`.
public struct ChallengeProof: Sendable, Hashable, Codable {
    /// Path from the root to the selected leaf (the leaf is never nil in a valid answer).
    public var trieProof: TrieProof
    /// Selected block within the leaf's file.
    public var blockIndex: UInt64

    public init(trieProof: TrieProof, blockIndex: UInt64) {
        self.trieProof = trieProof
        self.blockIndex = blockIndex
    }

    enum CodingKeys: String, CodingKey {
        case trieProof = "trie_proof"
        case blockIndex = "block_index"
    }

    /// `seed.leadingUInt64 % totalBlocks` (the first 8 bytes, big-endian); `totalBlocks` must be > 0.
    public static func selectedBlock(seed: Hash, totalBlocks: UInt64) -> UInt64 {
        precondition(totalBlocks > 0)
        return seed.leadingUInt64 % totalBlocks
    }

    /// Checks the path against `root` and that `seed` selects exactly this leaf and block; returns the leaf.
    @discardableResult
    public func verify(seed: Hash, root: Hash) throws(ChallengeError) -> TrieLeaf {
        let nodes: [TrieProof.Node]
        do { nodes = try trieProof.nodes() } catch { throw .trie(error) }
        guard nodes[0].hash == root else { throw .trie(.rootMismatch(expected: root, computed: nodes[0].hash)) }
        guard let leaf = trieProof.leaf, nodes[0].total > 0 else { throw .noBlocks }
        var r = ChallengeProof.selectedBlock(seed: seed, totalBlocks: nodes[0].total)
        for (depth, step) in trieProof.steps.enumerated() {
            let onLeft = leaf.key.keyBit(step.splitBit) == 0
            let leftTotal = onLeft ? nodes[depth + 1].total : step.siblingBlocks
            let goesLeft = r < leftTotal
            guard goesLeft == onLeft else { throw .wrongLeaf(splitBit: step.splitBit) }
            if !goesLeft { r -= leftTotal }
        }
        guard r == blockIndex else { throw .wrongBlockIndex(expected: r, claimed: blockIndex) }
        return leaf
    }

    /// The whole check the ledger makes: the path and selection (`verify(seed:root:)`), that `entry` is
    /// the selected leaf's file (key `H(entry.path)`, `entryHash`, block count), and that `block` is
    /// block `blockIndex` of the entry's shard under `entry.shardRoot`.
    public func verify(
        seed: Hash, allocationRoot: Hash, entry: FileEntry, block: some ContiguousBytes, blockProof: ShardProof
    ) throws(ChallengeError) {
        let leaf = try verify(seed: seed, root: allocationRoot)
        guard entry.key == leaf.key else { throw .pathMismatch(path: entry.path) }
        guard entry.entryHash == leaf.valueHash, entry.blockCount == leaf.blocks else {
            throw .entryMismatch(path: entry.path)
        }
        guard UInt64(exactly: blockProof.blockIndex) == blockIndex,
            UInt64(exactly: blockProof.leafCount) == entry.blockCount
        else { throw .blockProofMismatch(expectedIndex: blockIndex, proofIndex: blockProof.blockIndex) }
        do { try blockProof.verify(block: block, against: entry.shardRoot) } catch { throw .block(error) }
    }
}

extension AllocationTrie {
    /// The challenge answer path for `seed`, or nil when the trie holds no blocks.
    public func challengeProof(seed: Hash) -> ChallengeProof? {
        guard var ref = rootRef, totalBlocks > 0 else { return nil }
        var r = ChallengeProof.selectedBlock(seed: seed, totalBlocks: totalBlocks)
        var steps = [TrieProof.Step]()
        while !ref.isLeaf {
            let node = innerNodes[ref.index]
            let leftTotal = total(of: node.left)
            let (next, sibling): (NodeRef, NodeRef)
            if r < leftTotal {
                (next, sibling) = (node.left, node.right)
            } else {
                r -= leftTotal
                (next, sibling) = (node.right, node.left)
            }
            steps.append(
                TrieProof.Step(
                    splitBit: node.splitBit, siblingHash: hash(of: sibling), siblingBlocks: total(of: sibling)))
            ref = next
        }
        return ChallengeProof(trieProof: TrieProof(steps: steps, leaf: leafNodes[ref.index].leaf), blockIndex: r)
    }
}
