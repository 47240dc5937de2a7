/// Why a storage-challenge answer was refused.
public enum ChallengeError: Error, Equatable, CustomStringConvertible {
    /// The trie holds no blocks, so no block can be challenged.
    case noBlocks
    /// Following the seed through the proof's block totals turns away from the proven leaf at this split
    /// bit: the prover answered with a file the seed did not select.
    case wrongLeaf(splitBit: Int)
    /// The seed selects block `expected` of the file but the answer names `claimed`.
    case wrongBlockIndex(expected: UInt64, claimed: UInt64)
    /// `H(entry.path)` is not the proven leaf's key.
    case pathMismatch(path: String)
    /// The entry's hash or block count is not what the proven leaf commits to.
    case entryMismatch(path: String)
    /// The block proof is for another block index or another shard size than the challenge selected.
    case blockProofMismatch(expectedIndex: UInt64, proofIndex: Int)
    /// The trie path failed verification.
    case trie(TrieProofError)
    /// The block failed verification against the entry's shard root.
    case block(ShardProofError)

    /// Stable code; the wrapped proof error's code for `trie` and `block`.
    public var code: String {
        switch self {
        case .noBlocks: "merkle.challenge_no_blocks"
        case .wrongLeaf: "merkle.challenge_wrong_leaf"
        case .wrongBlockIndex: "merkle.challenge_wrong_block"
        case .pathMismatch: "merkle.challenge_path_mismatch"
        case .entryMismatch: "merkle.challenge_entry_mismatch"
        case .blockProofMismatch: "merkle.challenge_block_proof_mismatch"
        case .trie(let error): error.code
        case .block(let error): error.code
        }
    }

    public var description: String {
        switch self {
        case .noBlocks: "the allocation holds no blocks to challenge"
        case .wrongLeaf(let splitBit): "the seed's walk turns away from the answered file at split bit \(splitBit)"
        case .wrongBlockIndex(let expected, let claimed): "the seed selects block \(expected), not \(claimed)"
        case .pathMismatch(let path): "H(\"\(path)\") is not the challenged leaf's key"
        case .entryMismatch(let path): "the entry for \"\(path)\" is not the one the challenged leaf commits to"
        case .blockProofMismatch(let expected, let index):
            "block proof is for block \(index) of another shard size, challenge selected block \(expected)"
        case .trie(let error): "challenge path: \(error)"
        case .block(let error): "challenged block: \(error)"
        }
    }
}
