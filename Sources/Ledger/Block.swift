public import Merkle
public import StorageProtocol

/// A sealed block: commits to the previous block, its transactions (in log order) and the state after them.
public struct Block: Hashable, Sendable, Codable {
    public var height: UInt64
    public var previousHash: Hash
    public var txRoot: Hash
    public var stateRoot: Hash
    /// Unix ms when the block was sealed.
    public var timestamp: Int64
    public var txCount: UInt32
    public var hash: Hash
    /// The ledger key's signature over `hash`.
    public var signature: Signature

    public static let hashTag: UInt8 = 0x40
    public static let stateRootTag: UInt8 = 0x41
    public static let genesisTag: UInt8 = 0x44

    enum CodingKeys: String, CodingKey {
        case height, hash, signature, timestamp
        case previousHash = "previous_hash"
        case txRoot = "tx_root"
        case stateRoot = "state_root"
        case txCount = "tx_count"
    }

    /// `H(0x40 ‖ u64be height ‖ previous hash ‖ tx root ‖ state root ‖ i64be timestamp ‖ u32be tx count)`.
    public static func hash(
        height: UInt64, previousHash: Hash, txRoot: Hash, stateRoot: Hash, timestamp: Int64, txCount: UInt32
    ) -> Hash {
        var hasher = SHA256()
        hasher.update(byte: hashTag)
        hasher.update(uint64: height)
        hasher.update(hash: previousHash)
        hasher.update(hash: txRoot)
        hasher.update(hash: stateRoot)
        hasher.update(int64: timestamp)
        withUnsafeBytes(of: txCount.bigEndian) { hasher.update($0) }
        return hasher.finalize()
    }

    /// Recomputes the hash from the fields.
    public var computedHash: Hash {
        Block.hash(
            height: height, previousHash: previousHash, txRoot: txRoot, stateRoot: stateRoot, timestamp: timestamp,
            txCount: txCount)
    }

    /// RFC 6962 Merkle tree hash over the transaction hashes: leaf `H(0x00 ‖ tx hash)`, inner
    /// `H(0x01 ‖ left ‖ right)`, split at the largest power of two below the count; empty: `H("")`.
    public static func txRoot(_ hashes: [Hash]) -> Hash {
        guard !hashes.isEmpty else { return SHA256.hash([UInt8]()) }
        var leaves = hashes.map { hash -> Hash in
            var hasher = SHA256()
            hasher.update(byte: 0x00)
            hasher.update(hash: hash)
            return hasher.finalize()
        }
        return leaves.withUnsafeMutableBufferPointer { treeHash($0[...]) }
    }

    private static func treeHash(_ nodes: Slice<UnsafeMutableBufferPointer<Hash>>) -> Hash {
        if nodes.count == 1 { return nodes[nodes.startIndex] }
        var split = 1
        while split << 1 < nodes.count { split <<= 1 }
        let left = treeHash(nodes[nodes.startIndex..<nodes.startIndex + split])
        let right = treeHash(nodes[(nodes.startIndex + split)...])
        var hasher = SHA256()
        hasher.update(byte: 0x01)
        hasher.update(hash: left)
        hasher.update(hash: right)
        return hasher.finalize()
    }

    /// `H(0x41 ‖ previous state root ‖ effects digest of each transaction in order)`.
    public static func stateRoot(previous: Hash, effects: [Hash]) -> Hash {
        var hasher = SHA256()
        hasher.update(byte: stateRootTag)
        hasher.update(hash: previous)
        for digest in effects { hasher.update(hash: digest) }
        return hasher.finalize()
    }

    /// Genesis state root: `H(0x44 ‖ ledger public key ‖ u8 faucet ‖ u64be faucet_max ‖
    /// i64be timestamp_window_ms ‖ i64be challenge_timeout_ms)`.
    public static func genesisStateRoot(ledgerKey: PublicKey, rules: LedgerRules) -> Hash {
        var hasher = SHA256()
        hasher.update(byte: genesisTag)
        hasher.update(ledgerKey.bytes)
        hasher.update(byte: rules.faucet ? 1 : 0)
        hasher.update(uint64: rules.faucetMax)
        hasher.update(int64: rules.timestampWindow)
        hasher.update(int64: rules.challengeTimeout)
        return hasher.finalize()
    }
}

/// What genesis records besides block 0: the ledger's key and rules (`ledger_meta` row `genesis`).
public struct GenesisRecord: Hashable, Sendable, Codable {
    public var publicKey: PublicKey
    public var rules: LedgerRules
    public var timestamp: Int64

    enum CodingKeys: String, CodingKey {
        case publicKey = "public_key"
        case rules, timestamp
    }
}
