import Merkle
import StorageProtocol

extension FuzzTarget {
    /// `TrieProof` JSON (inclusion and non-inclusion, from `proofs`, file and challenge answers)
    /// against a 24-file allocation trie: whatever verifies must tell the truth about the key.
    static let trieProof = FuzzTarget(name: "trie-proof") { bytes in
        guard let proof = decodeJSON(TrieProof.self, bytes) else { return }
        requireRoundTrip(proof)
        _ = try? proof.nodes()
        var keys = [Fixture.absentKeys[0], Fixture.files[0].key]
        if let leaf = proof.leaf {
            keys.append(leaf.key)
            var flipped = leaf.key.bytes
            flipped[31] ^= 1
            keys.append(Hash(bytes: flipped)!)
        }
        for key in keys {
            guard let found = try? proof.verify(key: key, root: Fixture.trie.root) else { continue }
            require(found == Fixture.trie.lookup(key: key), "a proof lied about \(key): \(String(describing: found))")
        }
        if let leaf = proof.leaf,
            (try? proof.verifyInclusion(
                key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks, root: Fixture.trie.root)) != nil
        {
            require(Fixture.trie.lookup(key: leaf.key) == leaf, "a forged inclusion proof verified")
        }
    } seeds: {
        let keys = Fixture.files.prefix(3).map(\.key) + Fixture.absentKeys.prefix(2)
        return keys.map { encodeJSON(Fixture.trie.proof(for: $0)) } + [
            encodeJSON(AllocationTrie().proof(for: Fixture.absentKeys[0]))
        ]
    }

    /// `PartialTrie` (the client's commit-time root) built from fuzzed proofs and changes: whenever
    /// it answers, it must agree with the full trie after the same changes.
    static let partialTrie = FuzzTarget(name: "partial-trie") { bytes in
        guard let input = decodeJSON(PartialTrieInput.self, bytes) else { return }
        guard var partial = try? PartialTrie(root: Fixture.trie.root, proofs: input.proofs) else { return }
        var changes: [Hash: TrieLeaf?] = [:]
        for leaf in input.set {
            partial.set(key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks)
            changes[leaf.key] = .some(leaf)
        }
        for key in input.remove {
            partial.remove(key: key)
            changes[key] = .some(nil)
        }
        guard let root = try? partial.newRoot() else { return }
        var full = Fixture.trie
        for (key, change) in changes {
            if let leaf = change { full.set(key: leaf.key, valueHash: leaf.valueHash, blocks: leaf.blocks) } else {
                full.remove(key: key)
            }
        }
        require(root == full.root, "the partial trie's root differs from the full trie's")
        if let total = try? partial.newTotalBlocks() {
            require(total == full.totalBlocks, "the partial trie's block total differs")
        }
    } seeds: {
        let files = Fixture.files
        let absent = Fixture.absentKeys
        let inputs = [
            PartialTrieInput(
                proofs: [Fixture.trie.proof(for: files[1].key), Fixture.trie.proof(for: absent[0])],
                set: [TrieLeaf(key: absent[0], valueHash: SHA256.hash([1]), blocks: 3)], remove: [files[1].key]),
            PartialTrieInput(
                proofs: files.prefix(3).map { Fixture.trie.proof(for: $0.key) },
                set: [TrieLeaf(key: files[2].key, valueHash: SHA256.hash([2]), blocks: 9)],
                remove: [files[0].key, files[1].key]),
            PartialTrieInput(proofs: [], set: [], remove: []),
        ]
        return inputs.map { encodeJSON($0) }
    }

    /// `ChallengeProof` JSON (first byte: which seed) against the trie: whatever verifies must be the
    /// walk the seed selects.
    static let challengeProof = FuzzTarget(name: "challenge-proof") { bytes in
        guard let first = bytes.first, let proof = decodeJSON(ChallengeProof.self, Array(bytes.dropFirst())) else {
            return
        }
        requireRoundTrip(proof)
        let seed = Fixture.challengeSeeds[Int(first) % Fixture.challengeSeeds.count]
        guard let leaf = try? proof.verify(seed: seed, root: Fixture.trie.root) else { return }
        let honest = Fixture.trie.challengeProof(seed: seed)!
        require(proof == honest && leaf == honest.trieProof.leaf, "a forged challenge walk verified")
    } seeds: {
        (0..<4).map { index in
            [UInt8(index)] + encodeJSON(Fixture.trie.challengeProof(seed: Fixture.challengeSeeds[index])!)
        }
    }
}

struct PartialTrieInput: Codable {
    var proofs: [TrieProof]
    var set: [TrieLeaf]
    var remove: [Hash]
}
