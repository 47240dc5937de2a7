import Merkle
import StorageProtocol

/// Checks a challenge answer against the recorded root and seed.
enum ChallengeAnswer {
    /// nil when the answer proves possession; otherwise a failure code.
    static func check(_ payload: ChallengeResponsePayload, for challenge: ChallengeRecord) -> String? {
        "challenge.unverifiable"
    }
}
