import Client
import Foundation
import Merkle
import NIOCore
import StorageProtocol
import TestProcesses
import Testing

/// The public front door (`BlobClient`) against a real ledger and six real blobbers (4+2): writes from
/// async byte sources, verified ranged reads, stat, recursive listing, rename, delete and a batch that
/// lands as one commit per blobber.
@Suite(.serialized) struct BlobClientTests {
    /// `bytes` in chunks of `chunk` bytes, as an HTTP body or a mount would hand them over.
    static func chunks(_ bytes: [UInt8], of chunk: Int) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            for start in stride(from: 0, to: bytes.count, by: chunk) {
                continuation.yield(ByteBuffer(bytes: bytes[start..<min(start + chunk, bytes.count)]))
            }
            continuation.finish()
        }
    }

    static func collect(_ stream: ReadStream) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in stream { out += chunk.readableBytesView }
        return out
    }

    @Test func writesStreamsReadsRangesListsRenamesDeletesAndCommitsBatches() async throws {
        try await TestNetwork.with { network in
            let client = try await BlobClient.open(home: network.home)
            #expect(client.id == network.allocation)
            // Three stripes and a bit, from chunks that do not line up with stripes or blocks.
            let big = ShardEncoderTests.bytes(3 * 4 * 65_536 + 12_345, seed: 11)
            let bigPath = try RemotePath.parse("/media/deep/big.bin")
            let report = try await client.write(bigPath, from: ByteSource(size: UInt64(big.count), Self.chunks(big, of: 100_003)))
            #expect(report.committed.count == 6)
            #expect(report.files == ["/media/deep/big.bin"])
            let small = Array("small file".utf8)
            try await client.write(try RemotePath.parse("/media/small.txt"), from: ByteSource(small))
            try await client.write(try RemotePath.parse("/top.txt"), from: ByteSource([UInt8]()))

            // Reads: whole, a range across a stripe boundary, the last byte; each verified on the way.
            #expect(try await Self.collect(client.read(bigPath)) == big)
            let a = 4 * 65_536 - 100
            let b = 2 * 4 * 65_536 + 5_000
            #expect(try await Self.collect(client.read(bigPath, range: UInt64(a)...UInt64(b))) == Array(big[a...b]))
            let last = UInt64(big.count - 1)
            #expect(try await Self.collect(client.read(bigPath, range: last...last)) == [big[big.count - 1]])
            #expect(try await Self.collect(client.read(try RemotePath.parse("/media/small.txt"))) == small)
            #expect(try await Self.collect(client.read(try RemotePath.parse("/top.txt"))) == [])
            // A range past the end is refused before anything is read.
            let outside = await #expect(throws: ClientError.self) {
                _ = try await Self.collect(client.read(bigPath, range: UInt64(big.count)...UInt64(big.count)))
            }
            #expect(outside?.code == "client.invalid_argument")

            let entry = try await client.stat(bigPath)
            #expect(entry.path == "/media/deep/big.bin")
            #expect(entry.size == Int64(big.count))
            #expect(entry.encryption.isEmpty)
            await #expect(throws: ClientError.remoteNotFound(path: "/nothing.bin")) {
                _ = try await client.stat(try RemotePath.parse("/nothing.bin"))
            }

            let everything = try await client.list("/", recursive: true)
            #expect(everything.files.map(\.path) == ["/media/deep/big.bin", "/media/small.txt", "/top.txt"])
            #expect(everything.directories == ["media/", "media/deep/"])
            let top = try await client.list("/")
            #expect(top.files.map(\.path) == ["/top.txt"])
            #expect(top.directories == ["media/"])
            #expect(try await client.list("/media", recursive: true).files.map(\.path) == [
                "/media/deep/big.bin", "/media/small.txt",
            ])

            try await client.rename(try RemotePath.parse("/media/small.txt"), to: try RemotePath.parse("/small.txt"))
            try await client.delete([try RemotePath.parse("/top.txt")])
            #expect(try await client.list("/", recursive: true).files.map(\.path) == ["/media/deep/big.bin", "/small.txt"])
            #expect(try await Self.collect(client.read(try RemotePath.parse("/small.txt"))) == small)

            // A batch of a write, a delete and a rename: one commit on every blobber.
            let before = try await network.heads().map(\.sequence)
            let fresh = ShardEncoderTests.bytes(200_000, seed: 12)
            let batchReport = try await client.commit { batch throws(ClientError) in
                batch.write(try RemotePath.parse("/fresh.bin"), from: ByteSource(size: 200_000, Self.chunks(fresh, of: 65_536)))
                batch.delete(try RemotePath.parse("/small.txt"))
                batch.rename(try RemotePath.parse("/media/deep/big.bin"), to: try RemotePath.parse("/big.bin"))
            }
            #expect(batchReport.committed.count == 6)
            #expect(batchReport.files == ["/fresh.bin"])
            let after = try await network.heads()
            #expect(after.map(\.sequence) == before.map { $0 + 1 })
            #expect(Set(after.map(\.fileMetaRoot)).count == 1)
            #expect(try await client.list("/", recursive: true).files.map(\.path) == ["/big.bin", "/fresh.bin"])
            #expect(try await Self.collect(client.read(try RemotePath.parse("/big.bin"))) == big)
            #expect(try await Self.collect(client.read(try RemotePath.parse("/fresh.bin"))) == fresh)

            // A batch naming a file that is not there commits nothing anywhere.
            await #expect(throws: ClientError.remoteNotFound(path: "/gone.bin")) {
                try await client.commit { batch throws(ClientError) in
                    batch.write(try RemotePath.parse("/other.bin"), from: ByteSource(Array("x".utf8)))
                    batch.delete(try RemotePath.parse("/gone.bin"))
                }
            }
            #expect(try await network.heads().map(\.sequence) == after.map(\.sequence))
            let finalStatus = await client.status()
            #expect(status(of: finalStatus) == after.map(\.sequence))
        }
    }

    @Test func aSourceThatGivesOtherThanItsSizeCommitsNothing() async throws {
        try await TestNetwork.with { network in
            let client = try await BlobClient.open(home: network.home)
            let bytes = ShardEncoderTests.bytes(300_000, seed: 13)
            let path = try RemotePath.parse("/short.bin")
            for announced in [UInt64(300_001), 299_999] {
                let error = await #expect(throws: ClientError.self) {
                    try await client.write(path, from: ByteSource(size: announced, Self.chunks(bytes, of: 70_000)))
                }
                #expect(error?.code == "client.invalid_argument")
            }
            #expect(try await network.heads().map(\.sequence) == [0, 0, 0, 0, 0, 0])
            await #expect(throws: ClientError.remoteNotFound(path: "/short.bin")) {
                _ = try await client.stat(path)
            }
        }
    }

    /// Each blobber's sequence as `status` reports it, in shard order.
    func status(of status: AllocationStatus) -> [UInt64] {
        status.blobbers.map { $0.sequence ?? 0 }
    }
}
