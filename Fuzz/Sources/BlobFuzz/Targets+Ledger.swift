import Merkle
import StorageProtocol

extension FuzzTarget {
    /// `LedgerTransaction` as `POST /v1/transactions` decodes it, then its payload as the ledger's
    /// `DecodedPayload` does (one payload type per kind).
    static let transaction = FuzzTarget(name: "transaction") { bytes in
        guard let tx = try? TransactionCoding.decode(LedgerTransaction.self, from: bytes, what: "transaction") else {
            return
        }
        requireRoundTrip(tx)
        require(SHA256.hash(tx.canonicalBytes) == tx.hash, "hash is not SHA-256 of the canonical bytes")
        if (try? tx.verifySignature()) != nil {
            require(tx.signature != nil && tx.publicKey.isValidSignature(tx.signature!, over: tx.hash), "bad signature")
        }
        checkPayload(kind: tx.kind, bytes: Array(tx.payload.utf8))
    } seeds: {
        LedgerSeeds.transactions.map { encodeJSON($0) }
    }

    /// A payload's JSON alone (first byte: the kind), so the fuzzer need not escape it into a string.
    static let payload = FuzzTarget(name: "payload") { bytes in
        guard let first = bytes.first else { return }
        let kinds = TransactionKind.allCases
        checkPayload(kind: kinds[Int(first) % kinds.count], bytes: Array(bytes.dropFirst()))
    } seeds: {
        LedgerSeeds.transactions.map { tx in
            [UInt8(TransactionKind.allCases.firstIndex(of: tx.kind)!)] + Array(tx.payload.utf8)
        }
    }

    /// One `WriteMarker`: JSON, canonical encoding, signature and the first link of a chain.
    static let writeMarker = FuzzTarget(name: "write-marker") { bytes in
        guard let marker = decodeJSON(WriteMarker.self, bytes) else { return }
        requireRoundTrip(marker)
        require(marker.canonicalBytes.count == WriteMarker.canonicalByteCount, "canonical length")
        require(SHA256.hash(marker.canonicalBytes) == marker.hash, "hash is not SHA-256 of the canonical bytes")
        _ = try? marker.verifySignature(owner: Fixture.owner.publicKey)
        checkLinks([marker], from: .genesis, capacity: .max)
        checkLinks([marker], from: marker.head, capacity: marker.chainSize)
    } seeds: {
        LedgerSeeds.markers.map { encodeJSON($0) }
    }

    /// A marker chain after a given head (`{"head", "capacity", "markers"}`), checked link by link as
    /// the ledger's `submit_chain` and the blobber's commit do.
    static let markerChain = FuzzTarget(name: "marker-chain") { bytes in
        guard let input = decodeJSON(ChainInput.self, bytes) else { return }
        requireRoundTrip(input)
        checkLinks(input.markers, from: input.head ?? .genesis, capacity: input.capacity)
    } seeds: {
        let markers = LedgerSeeds.markers
        return [
            ChainInput(head: nil, capacity: 1 << 40, markers: markers),
            ChainInput(head: markers[0].head, capacity: 1 << 40, markers: Array(markers.dropFirst())),
            ChainInput(head: markers[1].head, capacity: 100, markers: Array(markers.dropFirst(2))),
        ].map { encodeJSON($0) }
    }
}

struct ChainInput: Codable, Equatable {
    var head: MarkerChainHead?
    var capacity: UInt64
    var markers: [WriteMarker]
}

/// Walks `markers` from `head`; every accepted link must obey the chain rules in exact arithmetic.
func checkLinks(_ markers: [WriteMarker], from start: MarkerChainHead, capacity: UInt64) {
    var head = start
    for marker in markers {
        guard (try? marker.verifyLink(from: head, capacity: capacity)) != nil else { return }
        require(head.sequence < .max && marker.sequence == head.sequence + 1, "sequence \(marker.sequence) after \(head.sequence)")
        require(marker.previousAllocationRoot == head.allocationRoot, "previous root")
        require(marker.chainHash == WriteMarker.chainHash(previous: head.chainHash, root: marker.allocationRoot), "chain hash")
        require(
            Int128(marker.chainSize) == Int128(head.chainSize) + Int128(marker.size) && marker.chainSize <= capacity,
            "chain size \(marker.chainSize) after \(head.chainSize) + \(marker.size) (capacity \(capacity))")
        require(marker.timestamp >= head.timestamp, "time went backwards")
        _ = try? marker.verifySignature(owner: Fixture.owner.publicKey)
        head = marker.head
    }
}

/// The ledger's `DecodedPayload.init(decoding:)`, one case per kind, plus each payload's own checks.
func checkPayload(kind: TransactionKind, bytes: [UInt8]) {
    switch kind {
    case .faucet: _ = decodePayload(FaucetPayload.self, bytes)
    case .registerBlobber: _ = decodePayload(RegisterBlobberPayload.self, bytes)
    case .updateBlobber: _ = decodePayload(UpdateBlobberPayload.self, bytes)
    case .createAllocation:
        if let payload = decodePayload(CreateAllocationPayload.self, bytes), payload.dataShards > 0 {
            let k = UInt64(payload.dataShards)
            require(
                payload.shardSize.multipliedReportingOverflow(by: k).overflow
                    || payload.shardSize * k >= payload.size, "shard size \(payload.shardSize) too small")
        }
    case .submitChain:
        if let payload = decodePayload(SubmitChainPayload.self, bytes) {
            checkLinks(payload.markers, from: .genesis, capacity: 1 << 40)
        }
    case .challengeResponse:
        if let payload = decodePayload(ChallengeResponsePayload.self, bytes) { checkChallengeResponse(payload) }
    case .finalizeAllocation: _ = decodePayload(FinalizeAllocationPayload.self, bytes)
    case .updateAllocation: _ = decodePayload(UpdateAllocationPayload.self, bytes)
    case .cancelAllocation: _ = decodePayload(CancelAllocationPayload.self, bytes)
    case .issueChallenge: _ = decodePayload(IssueChallengePayload.self, bytes)
    case .challengeTimeout: _ = decodePayload(ChallengeTimeoutPayload.self, bytes)
    case .revokeTicket: _ = decodePayload(RevokeTicketPayload.self, bytes)
    case .peg:
        if let payload = decodePayload(PegPayload.self, bytes) {
            // Only 64 lowercase hex digits decode, so the hash re-encodes to the very text it came from.
            require(PegPayload.parseHash(payload.hash.hex) == payload.hash, "peg hash does not round-trip")
            _ = payload.problem()
        }
    }
}

func decodePayload<T: Codable & Equatable>(_ type: T.Type, _ bytes: [UInt8]) -> T? {
    guard let value = try? TransactionCoding.decode(type, from: bytes, what: "payload") else { return nil }
    requireRoundTrip(value)
    return value
}

/// The ledger's `ChallengeAnswer.check` against the fixture trie under every fixture seed: an answer
/// that passes must be the honest one.
func checkChallengeResponse(_ payload: ChallengeResponsePayload) {
    for seed in Fixture.challengeSeeds {
        let passed =
            (try? payload.trieProof.verify(
                seed: seed, allocationRoot: Fixture.trie.root, entry: payload.entry, block: payload.block,
                blockProof: payload.blockProof)) != nil
        guard passed else { continue }
        let honest = Fixture.trie.challengeProof(seed: seed)!
        require(payload.trieProof == honest, "a challenge answer other than the honest one passed")
        let (index, entry) = Fixture.file(withKey: honest.trieProof.leaf!.key)!
        require(payload.entry == entry, "a forged entry passed")
        require(payload.block == Fixture.blocks(ofFile: index, count: Int(entry.blockCount))[Int(honest.blockIndex)], "forged block")
    }
}

/// Real, signed encodings: every transaction kind, a chain of markers.
enum LedgerSeeds {
    static let markers: [WriteMarker] = {
        var head = MarkerChainHead.genesis
        var out = [WriteMarker]()
        for (index, size) in [Int64(4096), 65_536, -4096].enumerated() {
            let root = SHA256.hash([UInt8(index)])
            let chainSize = UInt64(Int64(head.chainSize) + size)
            let marker = WriteMarker(
                allocationID: Fixture.allocation, blobberID: Fixture.blobber.publicKey.blobberID,
                clientID: Fixture.owner.publicKey.clientID, sequence: head.sequence + 1, allocationRoot: root,
                previousAllocationRoot: head.allocationRoot, fileMetaRoot: SHA256.hash([UInt8(index), 1]), size: size,
                chainSize: chainSize, chainHash: WriteMarker.chainHash(previous: head.chainHash, root: root),
                timestamp: Fixture.now + Int64(index)
            ).signed(with: Fixture.owner)
            out.append(marker)
            head = marker.head
        }
        return out
    }()

    static let challengeResponse: ChallengeResponsePayload = {
        let seed = Fixture.challengeSeeds[0]
        let proof = Fixture.trie.challengeProof(seed: seed)!
        let (index, entry) = Fixture.file(withKey: proof.trieProof.leaf!.key)!
        let block = Int(proof.blockIndex)
        return ChallengeResponsePayload(
            challengeID: SHA256.hash([9]), entry: entry,
            block: Fixture.blocks(ofFile: index, count: Int(entry.blockCount))[block],
            blockProof: Fixture.tree(ofFile: index, count: Int(entry.blockCount)).proof(forBlock: block), trieProof: proof)
    }()

    static let transactions: [LedgerTransaction] = {
        let key = Fixture.owner
        let blobber = Fixture.blobber.publicKey.blobberID
        func make(_ kind: TransactionKind, _ payload: some Encodable) -> LedgerTransaction {
            LedgerTransaction.make(kind, payload: payload, key: key, nonce: 7, timestamp: Fixture.now)
        }
        return [
            make(.faucet, FaucetPayload(amount: 1_000_000)),
            make(
                .registerBlobber,
                RegisterBlobberPayload(
                    url: "http://127.0.0.1:7101", capacity: 1 << 30, readPrice: 1, writePrice: 10, region: "eu",
                    stake: 100)),
            make(.updateBlobber, UpdateBlobberPayload(capacity: 1 << 31, region: "us")),
            make(
                .createAllocation,
                CreateAllocationPayload(
                    dataShards: 4, parityShards: 2, size: 1 << 30, expiry: Fixture.now + 86_400_000,
                    blobbers: [blobber, blobber], writePool: 1000)),
            make(.submitChain, SubmitChainPayload(allocationID: Fixture.allocation, markers: markers)),
            make(.challengeResponse, challengeResponse),
            make(.finalizeAllocation, FinalizeAllocationPayload(allocationID: Fixture.allocation)),
            make(
                .issueChallenge,
                IssueChallengePayload(
                    challengeID: SHA256.hash([1]), allocationID: Fixture.allocation, blobberID: blobber,
                    root: Fixture.trie.root, seed: Fixture.challengeSeeds[0], deadline: Fixture.now + 60_000)),
            make(.challengeTimeout, ChallengeTimeoutPayload(challengeID: SHA256.hash([1]))),
        ]
    }()
}
