import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// `BlobClient`'s tree operations as a library (what `blob` and other front ends call): existing,
/// copy, sync planning and carrying out, tree download and delete, and the local-target rules.
@Suite(.serialized) struct BlobClientTreeTests {
    @Test func syncPlansCopiesDownloadsAndDeletesTrees() async throws {
        try await TestNetwork.with { network in
            let client = try await BlobClient.open(home: network.home)
            let local = network.root + "/album"
            try FileManager.default.createDirectory(atPath: local + "/x", withIntermediateDirectories: true)
            let one = ShardEncoderTests.bytes(90_000, seed: 81)
            let two = ShardEncoderTests.bytes(4_000, seed: 82)
            try Data(one).write(to: URL(fileURLWithPath: local + "/one.bin"))
            try Data(two).write(to: URL(fileURLWithPath: local + "/x/two.bin"))

            let plan = try await client.planSync(local: local, remote: "/album", direction: .upload, mirror: false)
            #expect(plan.added == ["one.bin", "x/two.bin"] && plan.bytes == 94_000)
            try await client.sync(plan)
            let again = try await client.planSync(local: local, remote: "/album", direction: .upload, mirror: true)
            #expect(again.isEmpty && again.unchanged == 2)

            let onePath = try RemotePath.parse("/album/one.bin")
            #expect(try await client.existing([onePath, try RemotePath.parse("/album/none")]) == [onePath])
            try await client.copy(onePath, to: try RemotePath.parse("/copy/one.bin"))
            #expect(try await client.stat(try RemotePath.parse("/copy/one.bin")).contentHash == SHA256.hash(one))

            let back = network.root + "/back"
            let tree = try await client.download(tree: "/album", to: back)
            #expect(tree.files == ["/album/one.bin", "/album/x/two.bin"])
            #expect(try Data(contentsOf: URL(fileURLWithPath: back + "/x/two.bin")) == Data(two))

            // A symbolic link at the target is refused and left as it was.
            let link = network.root + "/link"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: back + "/one.bin")
            let refused = await #expect(throws: ClientError.self) { _ = try await client.download(onePath, to: link) }
            #expect(refused?.code == "client.local_file")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == back + "/one.bin")

            let deleted = try await client.delete(trees: ["/album", "/copy/one.bin"])
            #expect(deleted == ["/album/one.bin", "/album/x/two.bin", "/copy/one.bin"])
            #expect(try await client.list("/", recursive: true).files.isEmpty)
        }
    }
}
