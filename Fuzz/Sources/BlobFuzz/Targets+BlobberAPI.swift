import Merkle
import StorageProtocol

extension FuzzTarget {
    /// JSON bodies of the blobber API (requests a blobber decodes, answers a client decodes) and the
    /// ledger's answers; the first byte picks the type.
    static let blobberAPI = FuzzTarget(name: "blobber-api") { bytes in
        guard let first = bytes.first else { return }
        let json = Array(bytes.dropFirst())
        switch first % 19 {
        case 0:
            guard let request = decodeJSON(CommitRequest.self, json) else { return }
            requireRoundTrip(request)
            for change in request.changes {
                for path in change.paths { _ = try? RemotePath(path) }
                if case .put(let uploadID, _) = change { _ = UploadStatus.isValidID(uploadID) }
            }
            checkLinks([request.marker], from: .genesis, capacity: .max)
        case 1: roundTrip(RollbackRequest.self, json)
        case 2: roundTrip(ProofsRequest.self, json)
        case 3:
            guard let response = decodeJSON(ProofsResponse.self, json) else { return }
            requireStableEncoding(response)
            for proof in response.proofs.values { _ = try? proof.computedRoot() }
        case 4: roundTrip(BlobberHead.self, json)
        case 5: requireStableEncoding(decodeJSON(AllocationStateResponse.self, json))
        case 6:
            guard let response = decodeJSON(FileResponse.self, json) else { return }
            requireStableEncoding(response)
            _ = try? response.proof.verifyInclusion(
                key: response.entry.key, valueHash: response.entry.entryHash, blocks: response.entry.blockCount,
                root: Fixture.trie.root)
        case 7: requireStableEncoding(decodeJSON(ListResponse.self, json))
        case 8: roundTrip(UploadStatus.self, json)
        case 9: roundTrip(BlobberInfo.self, json)
        case 10: roundTrip(CommitResponse.self, json)
        case 11: roundTrip(BlobberRecord.self, json)
        case 12: roundTrip(AllocationRecord.self, json)
        case 13: roundTrip(ChallengeRecord.self, json)
        case 14: roundTrip(AllocationView.self, json)
        case 15: roundTrip(AccountView.self, json)
        case 16: roundTrip(TransactionReceipt.self, json)
        case 17: roundTrip(LedgerErrorBody.self, json)
        default: roundTrip(MarkerChainHead.self, json)
        }
    } seeds: {
        let entry = Fixture.files[3]
        let marker = LedgerSeeds.markers[0]
        let head = BlobberHead(
            sequence: 1, allocationRoot: Fixture.trie.root, fileMetaRoot: SHA256.hash([2]), chainHash: marker.chainHash,
            chainSize: 4096, timestamp: Fixture.now)
        let moved = FileEntry(
            path: "/fuzz/moved", size: entry.size, contentHash: entry.contentHash, shardRoot: entry.shardRoot,
            blockCount: entry.blockCount, createdAt: entry.createdAt, updatedAt: Fixture.now)
        let commit = CommitRequest(
            changes: [
                .put(uploadID: "u-0123456789abcdef", entry: entry),
                .delete(path: try! RemotePath("/fuzz/file-1")),
                .rename(from: try! RemotePath("/fuzz/file-2"), entry: moved),
            ], marker: marker)
        var receipt = TransactionResult()
        receipt.balance = 10
        receipt.reason = "fuzz"
        return [
            [0] + encodeJSON(commit),
            [1] + encodeJSON(RollbackRequest(marker: marker)),
            [2] + encodeJSON(ProofsRequest(paths: ["/fuzz/file-1", "/fuzz/absent"])),
            [3]
                + encodeJSON(
                    ProofsResponse(
                        head: head, marker: marker,
                        proofs: ["/fuzz/file-1": Fixture.trie.proof(forPath: "/fuzz/file-1")],
                        metaProofs: ["/fuzz/absent": Fixture.trie.proof(forPath: "/fuzz/absent")])),
            [4] + encodeJSON(head),
            [6] + encodeJSON(FileResponse(entry: entry, proof: Fixture.trie.proof(for: entry.key), marker: marker)),
            [7] + encodeJSON(ListResponse(path: "/fuzz/", files: Array(Fixture.files.prefix(2)), directories: ["/fuzz/d/"])),
            [8]
                + encodeJSON(
                    UploadStatus(uploadID: "u-1", received: 10, complete: true, shardRoot: entry.shardRoot, blockCount: 2)),
            [16] + encodeJSON(TransactionReceipt(hash: SHA256.hash([3]), status: .applied, block: 5, result: receipt)),
        ]
    }
}

private func roundTrip<T: Codable & Equatable>(_ type: T.Type, _ json: [UInt8]) {
    if let value = decodeJSON(type, json) { requireRoundTrip(value) }
}

/// For types without `Equatable`: encode → decode → encode gives the same bytes.
func requireStableEncoding<T: Codable>(_ value: T?) {
    guard let value else { return }
    let encoded = encodeJSON(value)
    guard let again = decodeJSON(T.self, encoded) else {
        fatalError("property failed: \(T.self) does not decode its own encoding")
    }
    require(encodeJSON(again) == encoded, "\(T.self) encodes differently after a round trip")
}
