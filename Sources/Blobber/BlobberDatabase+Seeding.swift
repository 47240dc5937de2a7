import Foundation
public import Merkle
public import NIOCore
public import StorageProtocol

// Entry points for tools that fill a data folder without HTTP or a ledger (`blobber bench` in the
// Bench target): each one is the step the server takes, under a name saying what it is for.

extension BlobberDatabase {
    /// Records `info` as an allocation this blobber serves, as the first request naming it does after
    /// asking the ledger; `BlobberNode.store(for:)` then loads it without a ledger question.
    public func seedAllocation(_ info: AllocationInfo) throws {
        try insertAllocation(info)
    }

    /// Makes `marker` (the allocation's next, signed by its owner) durable with `entries` added, as an
    /// accepted commit does, without checking it: the caller vouches for the roots. For seeding many
    /// entries at once (the commit path rebuilds the trie for each commit).
    public func seedCommit(
        _ allocation: AllocationID, marker: WriteMarker, fileMetaRoot: Hash, entries: [FileEntry], now: Int64
    ) throws {
        try apply(
            allocation, marker: marker, fileMetaRoot: fileMetaRoot, added: entries, removedPaths: [],
            undoSequence: 0, undoSize: 0, rollingBack: nil, now: now)
    }
}

extension UploadStager {
    /// Streams `body` into upload `upload`, as `PUT /v1/allocations/{id}/uploads/{upload}` does
    /// (docs/PROTOCOL.md section 5), without the request's authentication.
    public func stage<Body: AsyncSequence>(
        _ allocation: AllocationID, upload: String, shardSize: UInt64, offset: UInt64, freeShare: UInt64, body: Body
    ) async throws -> UploadStatus where Body.Element == ByteBuffer {
        try await receive(
            allocation, upload: upload, shardSize: shardSize, offset: offset, freeShare: freeShare, body: body)
    }
}

extension ShardStore {
    /// Moves complete staged uploads to the shard files named by their roots, as a commit does.
    public func promoteStaged(_ allocation: AllocationID, uploads: [(upload: String, root: Hash)]) throws {
        try promote(allocation, uploads: uploads)
    }
}

extension AllocationStore {
    /// The store of an allocation already in `database` (seeded, or named by an earlier request),
    /// opened as `BlobberNode.store(for:)` opens it; nil when the database does not hold it.
    public static func open(
        _ id: AllocationID, blobber: BlobberID, database: BlobberDatabase, stager: UploadStager
    ) throws -> AllocationStore? {
        guard let (info, persisted) = try database.allocation(id, blobber: blobber) else { return nil }
        return try AllocationStore(info: info, persisted: persisted, database: database, stager: stager)
    }
}
