import Foundation
import Gateway
import StorageProtocol
import Testing

/// The pure parts of S3 routing: bucket rules, folder keys and their markers.
@Suite struct S3RoutingTests {
    @Test func bucketRulesMatchBucketsOnlyAndKeyRulesKeysOnly() throws {
        let rules = [
            Policy(name: "sessions", match: "session/*", ttl: 60),
            Policy(name: "archives", allocation: String(repeating: "ab", count: 32), bucket: "archive-*"),
            Policy(name: "everything"),
        ]
        #expect(Policy.first(rules, bucket: "archive-2024")?.name == "archives")
        #expect(Policy.first(rules, bucket: "photos") == nil)
        // A bucket rule never matches a key-value write, even one whose key matches its pattern.
        #expect(Policy.first(rules, key: "archive-2024", type: "", provenance: "")?.name == "everything")
        #expect(Policy.first(rules, key: "session/a", type: "", provenance: "")?.name == "sessions")
        // The configuration file spells it `bucket:`, and checks its length.
        let yaml =
            "policies:\n  - name: far\n    bucket: \"far-*\"\n    allocation: \(String(repeating: "0", count: 64))\n"
        let path = NSTemporaryDirectory() + "/gateway-\(UUID().uuidString).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try GatewayConfiguration.load(from: path).policies.first?.bucket == "far-*")
        try "policies:\n  - name: long\n    bucket: \"\(String(repeating: "b", count: 1025))\"\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: GatewayError.self) { try GatewayConfiguration.load(from: path) }
        #expect(GatewayConfiguration.template.contains("bucket: \"archive-*\""))
    }

    @Test func folderKeysHaveMarkersOutsideTheBucket() throws {
        let key = try ObjectKey("photos/2024")
        #expect(try StorageLayout.folderMarker("album", key).string == "/.gateway/folders/album/photos/2024/.folder")
        // A folder and a folder inside it do not collide; a segment named .folder would, and is refused.
        #expect(
            try StorageLayout.folderMarker("album", ObjectKey("photos")).string
                == "/.gateway/folders/album/photos/.folder")
        #expect(throws: GatewayError.self) { try StorageLayout.folderMarker("album", ObjectKey("a/.folder")) }
    }
}
