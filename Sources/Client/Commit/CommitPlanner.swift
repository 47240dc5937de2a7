import Merkle
public import StorageProtocol

/// Computes one blobber's next write marker from its `/proofs` answer alone
/// (docs/PROTOCOL.md 4.2.2): checks the answer against the last marker this wallet signed for
/// the blobber, applies the commit's changes to partial tries of both roots, and signs the marker.
public struct CommitPlanner: Sendable {
    public let owner: SigningKey
    public let allocation: AllocationID
    /// The blobber's share, `ceil(size / data_shards)`.
    public let capacity: UInt64

    public init(owner: SigningKey, allocation: AllocationID, capacity: UInt64) {
        self.owner = owner
        self.allocation = allocation
        self.capacity = capacity
    }

    /// The marker to send with `changes` to `blobber`, given its proofs and the last marker this wallet
    /// signed for it (nil: none known locally, so the blobber's own latest marker must carry the
    /// owner's signature).
    public func marker(
        for blobber: BlobberID, changes: [CommitChange], proofs: ProofsResponse, lastSigned: WriteMarker?, now: Int64
    ) throws(ClientError) -> WriteMarker {
        let head = try trustedHead(blobber: blobber, proofs: proofs, lastSigned: lastSigned)
        return try marker(for: blobber, changes: changes, proofs: proofs, head: head, now: now)
    }

    /// The marker to send with `changes` to `blobber` from the head `trustedHead` returned for `proofs`.
    func marker(
        for blobber: BlobberID, changes: [CommitChange], proofs: ProofsResponse, head: BlobberHead, now: Int64
    ) throws(ClientError) -> WriteMarker {
        var allocationTrie: PartialTrie
        var metaTrie: PartialTrie
        var leaves: [Hash: TrieLeaf] = [:]
        let paths = Set(changes.flatMap(\.paths))
        var allocationProofs: [TrieProof] = []
        var metaProofs: [TrieProof] = []
        for path in paths.sorted() {
            guard let proof = proofs.proofs[path], let metaProof = proofs.metaProofs[path] else {
                throw .badAnswer(blobber: blobber, reason: "no proof for \(path)")
            }
            let key = FileEntry.key(forPath: path)
            do {
                if let leaf = try proof.verify(key: key, root: head.allocationRoot) { leaves[key] = leaf }
                _ = try metaProof.verify(key: key, root: head.fileMetaRoot)
            } catch {
                throw .badAnswer(blobber: blobber, reason: "proof for \(path) does not verify: \(error)")
            }
            allocationProofs.append(proof)
            metaProofs.append(metaProof)
        }
        do {
            allocationTrie = try PartialTrie(root: head.allocationRoot, proofs: allocationProofs, kind: .allocation)
            metaTrie = try PartialTrie(root: head.fileMetaRoot, proofs: metaProofs, kind: .fileMeta)
        } catch {
            throw .badAnswer(blobber: blobber, reason: "proofs do not combine: \(error)")
        }
        var delta: Int64 = 0
        func blocks(at path: String) -> Int64 {
            Int64(leaves[FileEntry.key(forPath: path)]?.blocks ?? 0)
        }
        // The last change per path wins, so track what each path holds as changes apply in order.
        var current: [String: Int64] = [:]
        func held(_ path: String) -> Int64 { current[path] ?? blocks(at: path) }
        for change in changes {
            switch change {
            case .put(_, let entry):
                delta += (Int64(entry.blockCount) - held(entry.path)) * Int64(ShardTree.blockSize)
                current[entry.path] = Int64(entry.blockCount)
                allocationTrie.set(entry)
                metaTrie.set(entry)
            case .delete(let path):
                guard held(path.string) > 0 || leaves[FileEntry.key(forPath: path.string)] != nil else {
                    throw .remoteNotFound(path: path.string)
                }
                delta -= held(path.string) * Int64(ShardTree.blockSize)
                current[path.string] = 0
                allocationTrie.remove(path: path.string)
                metaTrie.remove(path: path.string)
            case .rename(let from, let entry):
                guard leaves[FileEntry.key(forPath: from.string)] != nil else {
                    throw .remoteNotFound(path: from.string)
                }
                delta -= held(entry.path) * Int64(ShardTree.blockSize)
                current[entry.path] = held(from.string)
                current[from.string] = 0
                allocationTrie.remove(path: from.string)
                metaTrie.remove(path: from.string)
                allocationTrie.set(entry)
                metaTrie.set(entry)
            }
        }
        let newRoot: Hash
        let newMetaRoot: Hash
        do {
            newRoot = try allocationTrie.newRoot()
            newMetaRoot = try metaTrie.newRoot()
        } catch {
            throw .badAnswer(blobber: blobber, reason: "proofs do not cover the changes: \(error)")
        }
        let chainSize = Int64(head.chainSize) + delta
        guard chainSize >= 0 else { throw .badAnswer(blobber: blobber, reason: "stored size would go negative") }
        guard UInt64(chainSize) <= capacity else {
            throw .allocationFull(needed: UInt64(chainSize), free: capacity - min(capacity, head.chainSize))
        }
        return WriteMarker(
            allocationID: allocation, blobberID: blobber, clientID: owner.publicKey.clientID,
            sequence: head.sequence + 1, allocationRoot: newRoot, previousAllocationRoot: head.allocationRoot,
            fileMetaRoot: newMetaRoot, size: delta, chainSize: UInt64(chainSize),
            chainHash: WriteMarker.chainHash(previous: head.chainHash, root: newRoot),
            timestamp: max(now, head.timestamp)
        ).signed(with: owner)
    }

    /// The rollback marker that undoes `committed` (the marker just accepted by its blobber, whose
    /// state before was `previous`).
    public func rollbackMarker(undoing committed: WriteMarker, previous: BlobberHead, now: Int64) -> WriteMarker {
        let root = previous.allocationRoot
        return WriteMarker(
            allocationID: allocation, blobberID: committed.blobberID, clientID: owner.publicKey.clientID,
            sequence: committed.sequence + 1, allocationRoot: root, previousAllocationRoot: committed.allocationRoot,
            fileMetaRoot: previous.fileMetaRoot, size: -committed.size,
            chainSize: UInt64(Int64(committed.chainSize) - committed.size),
            chainHash: WriteMarker.chainHash(previous: committed.chainHash, root: root),
            timestamp: max(now, committed.timestamp)
        ).signed(with: owner)
    }

    /// The head the proofs must be against: the blobber's answer must be exactly the state of the last
    /// marker this wallet signed for it (or, with no local record, of a marker carrying the owner's
    /// signature, or genesis).
    public func trustedHead(blobber: BlobberID, proofs: ProofsResponse, lastSigned: WriteMarker?) throws(ClientError)
        -> BlobberHead
    {
        let reference: WriteMarker?
        if let lastSigned {
            reference = lastSigned
        } else if let marker = proofs.marker {
            do {
                try marker.verifySignature(owner: owner.publicKey)
            } catch {
                throw .blobberDiverged(
                    blobber: blobber, reason: "its latest marker is not signed by this wallet: \(error)")
            }
            reference = marker
        } else {
            reference = nil
        }
        let expected =
            reference.map {
                BlobberHead(
                    sequence: $0.sequence, allocationRoot: $0.allocationRoot, fileMetaRoot: $0.fileMetaRoot,
                    chainHash: $0.chainHash, chainSize: $0.chainSize, timestamp: $0.timestamp)
            } ?? .empty
        guard proofs.head.sequence == expected.sequence, proofs.head.allocationRoot == expected.allocationRoot,
            proofs.head.fileMetaRoot == expected.fileMetaRoot, proofs.head.chainSize == expected.chainSize
        else {
            throw .blobberDiverged(
                blobber: blobber,
                reason: "it is at sequence \(proofs.head.sequence) root \(proofs.head.allocationRoot.hex.prefix(12)), "
                    + "this wallet last signed sequence \(expected.sequence) root \(expected.allocationRoot.hex.prefix(12))"
            )
        }
        return expected
    }
}
