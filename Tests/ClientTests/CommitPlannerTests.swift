import Client
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// New roots from a blobber's proofs alone must equal the full trie's roots after the same changes,
/// and the marker must be one a blobber and the ledger accept.
@Suite struct CommitPlannerTests {
    static let allocation = AllocationID(SHA256.hash(Array("allocation".utf8)))
    static let blobber = BlobberID(SHA256.hash(Array("blobber".utf8)))

    static func entry(_ path: String, blocks: UInt64, salt: String = "") -> FileEntry {
        FileEntry(
            path: path, size: Int64(blocks) * 65_536 - 3, contentHash: SHA256.hash(Array((path + salt).utf8)),
            shardRoot: SHA256.hash(Array(("shard" + path + salt).utf8)), blockCount: blocks,
            createdAt: 1_700_000_000_000,
            updatedAt: 1_700_000_000_000)
    }

    /// A blobber's state: both tries over `entries`, its head, and the marker that produced it.
    struct BlobberState {
        var entries: [String: FileEntry]
        var owner: SigningKey
        var marker: WriteMarker?

        var allocationTrie: AllocationTrie { AllocationTrie(kind: .allocation, entries: Array(entries.values)) }
        var metaTrie: AllocationTrie { AllocationTrie(kind: .fileMeta, entries: Array(entries.values)) }
        var storedBytes: UInt64 { entries.values.reduce(0) { $0 + $1.blockCount * 65_536 } }

        var head: BlobberHead {
            BlobberHead(
                sequence: marker?.sequence ?? 0, allocationRoot: allocationTrie.root, fileMetaRoot: metaTrie.root,
                chainHash: marker?.chainHash, chainSize: storedBytes, timestamp: marker?.timestamp ?? .min)
        }

        func proofs(for paths: [String]) -> ProofsResponse {
            let a = allocationTrie
            let m = metaTrie
            return ProofsResponse(
                head: head, marker: marker,
                proofs: Dictionary(uniqueKeysWithValues: paths.map { ($0, a.proof(forPath: $0)) }),
                metaProofs: Dictionary(uniqueKeysWithValues: paths.map { ($0, m.proof(forPath: $0)) }))
        }

        mutating func apply(_ changes: [CommitChange]) {
            for change in changes {
                switch change {
                case .put(_, let entry): entries[entry.path] = entry
                case .delete(let path): entries[path.string] = nil
                case .rename(let from, let entry):
                    entries[from.string] = nil
                    entries[entry.path] = entry
                }
            }
        }
    }

    @Test func markersFollowTheFullTrieThroughPutsOverwritesRenamesAndDeletes() throws {
        let owner = SigningKey.generate()
        let planner = CommitPlanner(owner: owner, allocation: Self.allocation, capacity: 1 << 30)
        var state = BlobberState(entries: [:], owner: owner, marker: nil)
        let rounds: [[CommitChange]] = [
            (0..<40).map {
                .put(uploadID: "u\($0)", entry: Self.entry("/dir/file\($0).bin", blocks: UInt64($0 % 5 + 1)))
            },
            [
                .put(uploadID: "o", entry: Self.entry("/dir/file3.bin", blocks: 9, salt: "v2")),
                .delete(path: try RemotePath("/dir/file4.bin")),
                .rename(
                    from: try RemotePath("/dir/file5.bin"),
                    entry: {
                        var moved = Self.entry("/dir/file5.bin", blocks: 1)
                        moved.path = "/moved/five.bin"
                        return moved
                    }()),
                .put(uploadID: "n", entry: Self.entry("/new.bin", blocks: 2)),
            ],
            (6..<40).map { .delete(path: try! RemotePath("/dir/file\($0).bin")) },
        ]
        for changes in rounds {
            let paths = Array(Set(changes.flatMap(\.paths)))
            let before = state.head
            let marker = try planner.marker(
                for: Self.blobber, changes: changes, proofs: state.proofs(for: paths), lastSigned: state.marker,
                now: 1_750_000_000_000)
            state.apply(changes)
            #expect(marker.allocationRoot == state.allocationTrie.root)
            #expect(marker.fileMetaRoot == state.metaTrie.root)
            #expect(marker.chainSize == state.storedBytes)
            #expect(marker.size == Int64(state.storedBytes) - Int64(before.chainSize))
            try marker.verifySignature(owner: owner.publicKey)
            try marker.verifyLink(from: before.chainHead, capacity: 1 << 30)
            state.marker = marker
        }
        #expect(state.entries.count == 6)
    }

    @Test func aBlobberNotAtTheSignedStateIsRefused() throws {
        let owner = SigningKey.generate()
        let planner = CommitPlanner(owner: owner, allocation: Self.allocation, capacity: 1 << 30)
        var state = BlobberState(entries: [:], owner: owner, marker: nil)
        let first: [CommitChange] = [.put(uploadID: "a", entry: Self.entry("/a", blocks: 1))]
        let marker = try planner.marker(
            for: Self.blobber, changes: first, proofs: state.proofs(for: ["/a"]), lastSigned: nil, now: 1)
        state.apply(first)
        state.marker = marker
        // The blobber shows the state before the commit this wallet signed (it lost it, or lies).
        let stale = BlobberState(entries: [:], owner: owner, marker: nil)
        let next: [CommitChange] = [.put(uploadID: "b", entry: Self.entry("/b", blocks: 1))]
        #expect(throws: ClientError.self) {
            try planner.marker(
                for: Self.blobber, changes: next, proofs: stale.proofs(for: ["/b"]), lastSigned: marker, now: 2)
        }
        // A marker not signed by this wallet is not a reference either.
        var forged = state
        var other = marker
        other.signature = SigningKey.generate().signature(over: marker.hash)
        forged.marker = other
        #expect(throws: ClientError.self) {
            try planner.marker(
                for: Self.blobber, changes: next, proofs: forged.proofs(for: ["/b"]), lastSigned: nil, now: 2)
        }
        // Proofs against another root than the head are refused.
        var tampered = state.proofs(for: ["/b"])
        tampered.proofs["/b"] = AllocationTrie(kind: .allocation, entries: [Self.entry("/z", blocks: 3)]).proof(
            forPath: "/b")
        #expect(throws: ClientError.self) {
            try planner.marker(for: Self.blobber, changes: next, proofs: tampered, lastSigned: marker, now: 2)
        }
        // The honest answer works.
        _ = try planner.marker(
            for: Self.blobber, changes: next, proofs: state.proofs(for: ["/b"]), lastSigned: marker, now: 2)
    }

    @Test func capacityAndMissingPathsAreRefused() throws {
        let owner = SigningKey.generate()
        let planner = CommitPlanner(owner: owner, allocation: Self.allocation, capacity: 3 * 65_536)
        let state = BlobberState(entries: [:], owner: owner, marker: nil)
        let big: [CommitChange] = [.put(uploadID: "a", entry: Self.entry("/a", blocks: 4))]
        #expect(throws: ClientError.allocationFull(needed: 4 * 65_536, free: 3 * 65_536)) {
            try planner.marker(
                for: Self.blobber, changes: big, proofs: state.proofs(for: ["/a"]), lastSigned: nil, now: 1)
        }
        let delete: [CommitChange] = [.delete(path: try RemotePath("/nothing"))]
        #expect(throws: ClientError.remoteNotFound(path: "/nothing")) {
            try planner.marker(
                for: Self.blobber, changes: delete, proofs: state.proofs(for: ["/nothing"]), lastSigned: nil, now: 1)
        }
    }

    @Test func rollbackMarkerRestoresThePreviousRootAndSize() throws {
        let owner = SigningKey.generate()
        let planner = CommitPlanner(owner: owner, allocation: Self.allocation, capacity: 1 << 30)
        var state = BlobberState(entries: [:], owner: owner, marker: nil)
        let first: [CommitChange] = [.put(uploadID: "a", entry: Self.entry("/a", blocks: 2))]
        state.marker = try planner.marker(
            for: Self.blobber, changes: first, proofs: state.proofs(for: ["/a"]), lastSigned: nil, now: 1)
        state.apply(first)
        let before = state.head
        let second: [CommitChange] = [.put(uploadID: "b", entry: Self.entry("/b", blocks: 3))]
        let committed = try planner.marker(
            for: Self.blobber, changes: second, proofs: state.proofs(for: ["/b"]), lastSigned: state.marker, now: 2)
        let rollback = planner.rollbackMarker(undoing: committed, previous: before, now: 3)
        #expect(rollback.allocationRoot == before.allocationRoot)
        #expect(rollback.fileMetaRoot == before.fileMetaRoot)
        #expect(rollback.chainSize == before.chainSize)
        #expect(rollback.size == -3 * 65_536)
        try rollback.verifyLink(from: committed.head, capacity: 1 << 30)
        try rollback.verifySignature(owner: owner.publicKey)
    }
}
