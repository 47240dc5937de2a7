import Foundation
public import Merkle

/// `challenge_response`: the challenged blobber's proof that it holds the block the seed selects:
/// the file entry of the selected leaf, the 64 KiB block (base64 on the wire), the block's path in
/// the entry's shard tree, and the allocation-trie path the seed walks.
public struct ChallengeResponsePayload: Hashable, Sendable, Codable {
    public var challengeID: Hash
    public var entry: FileEntry
    public var block: [UInt8]
    public var blockProof: ShardProof
    public var trieProof: ChallengeProof

    public init(challengeID: Hash, entry: FileEntry, block: [UInt8], blockProof: ShardProof, trieProof: ChallengeProof) {
        self.challengeID = challengeID
        self.entry = entry
        self.block = block
        self.blockProof = blockProof
        self.trieProof = trieProof
    }

    enum CodingKeys: String, CodingKey {
        case challengeID = "challenge_id"
        case entry, block
        case blockProof = "block_proof"
        case trieProof = "trie_proof"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        challengeID = try container.decode(Hash.self, forKey: .challengeID)
        entry = try container.decode(FileEntry.self, forKey: .entry)
        let text = try container.decode(String.self, forKey: .block)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: .block, in: container, debugDescription: "block is not base64")
        }
        block = Array(data)
        blockProof = try container.decode(ShardProof.self, forKey: .blockProof)
        trieProof = try container.decode(ChallengeProof.self, forKey: .trieProof)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(challengeID, forKey: .challengeID)
        try container.encode(entry, forKey: .entry)
        try container.encode(Data(block).base64EncodedString(), forKey: .block)
        try container.encode(blockProof, forKey: .blockProof)
        try container.encode(trieProof, forKey: .trieProof)
    }
}
