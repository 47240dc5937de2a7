public import Merkle

/// `challenge_response`: the challenged blobber's proof that it holds the block the seed selects.
/// (Proof fields are completed once the Merkle proof types land.)
public struct ChallengeResponsePayload: Hashable, Sendable, Codable {
    public var challengeID: Hash
    /// Base64 of the selected 64 KiB block.
    public var block: String

    public init(challengeID: Hash, block: String) {
        self.challengeID = challengeID
        self.block = block
    }

    enum CodingKeys: String, CodingKey {
        case challengeID = "challenge_id"
        case block
    }
}
