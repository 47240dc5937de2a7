/// Why an allocation-trie proof, or an operation on a partial trie, was refused.
public enum TrieProofError: Error, Equatable, CustomStringConvertible {
    /// The proof leads to another root.
    case rootMismatch(expected: Hash, computed: Hash)
    /// Inclusion was asked but the proof ends at another key, or at another value or block count.
    case leafMismatch(key: Hash)
    /// Non-inclusion was asked but the proof shows the key present.
    case keyPresent(key: Hash)
    /// The path does not follow the queried key's bits (so it is not the walk for that key).
    case directionMismatch(key: Hash, splitBit: Int)
    /// Split bits outside 0...255 or not strictly increasing from the root down.
    case splitOrder(splitBit: Int)
    /// A proof for an empty trie (no leaf) that still lists path steps.
    case malformed(String)
    /// Block totals along the path overflow 64 bits.
    case totalOverflow
    /// A partial-trie operation reached a subtree no proof expanded: supply a proof for this key.
    case missingProof(key: Hash)
    /// Two proofs given to one partial trie disagree about a node.
    case proofConflict
    /// A partial trie built without proofs over a non-empty root cannot tell its block total.
    case noProofs

    /// Stable code for logs and error bodies.
    public var code: String {
        switch self {
        case .rootMismatch: "merkle.trie_root_mismatch"
        case .leafMismatch: "merkle.trie_leaf_mismatch"
        case .keyPresent: "merkle.trie_key_present"
        case .directionMismatch: "merkle.trie_direction_mismatch"
        case .splitOrder: "merkle.trie_split_order"
        case .malformed: "merkle.trie_malformed"
        case .totalOverflow: "merkle.trie_total_overflow"
        case .missingProof: "merkle.trie_missing_proof"
        case .proofConflict: "merkle.trie_proof_conflict"
        case .noProofs: "merkle.trie_no_proofs"
        }
    }

    public var description: String {
        switch self {
        case .rootMismatch(let expected, let computed):
            "trie proof leads to root \(computed), expected \(expected)"
        case .leafMismatch(let key):
            "trie proof does not show key \(key) with the expected value and block count"
        case .keyPresent(let key):
            "trie proof shows key \(key) present where its absence was to be proven"
        case .directionMismatch(let key, let splitBit):
            "trie proof turns against bit \(splitBit) of key \(key)"
        case .splitOrder(let splitBit):
            "trie proof split bit \(splitBit) is out of range or not below its parent's"
        case .malformed(let reason):
            "malformed trie proof: \(reason)"
        case .totalOverflow:
            "trie proof block totals overflow 64 bits"
        case .missingProof(let key):
            "no proof covers key \(key): the partial trie cannot apply this change"
        case .proofConflict:
            "two trie proofs disagree about the same node"
        case .noProofs:
            "a partial trie built without proofs cannot tell its block total"
        }
    }
}
