import Merkle
import StorageProtocol

/// Checks a challenge answer against the recorded root and seed with the Merkle module's challenge
/// verification: trie path and selection, entry = selected leaf, block under the entry's shard root.
enum ChallengeAnswer {
    /// nil when the answer proves possession; otherwise the failure's code.
    static func check(_ payload: ChallengeResponsePayload, for challenge: ChallengeRecord) -> String? {
        do {
            try payload.trieProof.verify(
                seed: challenge.seed, allocationRoot: challenge.root, entry: payload.entry, block: payload.block,
                blockProof: payload.blockProof)
            return nil
        } catch {
            return error.code
        }
    }
}
