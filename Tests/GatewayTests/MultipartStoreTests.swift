import Foundation
import NIOCore
import Testing

@testable import Gateway

/// Completing a multipart upload checks the parts listed against the parts staged before anything is
/// sent (order, ETags, sizes); the ETag is S3's: the MD5 of the parts' MD5s and `-N`.
@Suite struct MultipartStoreTests {
    @Test func completionChecksPartsAndComputesTheETag() async throws {
        let home = NSTemporaryDirectory() + "/multipart-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: home) }
        let store = MultipartStore(home: home)
        let id = try store.create(.init(bucket: "b", key: "k", contentType: "x/y", userMeta: [:], initiatedAt: 0))
        #expect(throws: GatewayError.self) { try store.upload(id, bucket: "b", key: try ObjectKey("other")) }
        #expect(throws: GatewayError.self) { try store.upload("../../etc", bucket: "b", key: try ObjectKey("k")) }
        var etags: [Int: String] = [:]
        var md5s: [UInt8] = []
        for (number, size) in [(1, 5 << 20), (2, 5 << 20), (3, 10)] {
            let bytes = [UInt8](repeating: UInt8(number), count: size)
            md5s += Digest.md5(bytes)
            let staged = try await StagedBody.stage(
                Pieces(bytes, size: 1 << 20), encoding: .plain, declared: UInt64(size), limit: 64 << 20,
                expectedSHA256: nil, folder: home + "/staging")
            etags[number] = staged.etag
            try store.addPart(id, number: number, staged: staged)
        }
        #expect(try store.parts(id).map(\.number) == [1, 2, 3])
        let all = (1...3).map { (number: $0, etag: "\"" + etags[$0]! + "\"") }
        let (parts, etag) = try store.resolve(id, listed: all)
        #expect(parts.map(\.number) == [1, 2, 3])
        let expected = Digest.md5(md5s).map { String(format: "%02x", $0) }.joined() + "-3"
        #expect(etag == expected)

        func code(_ listed: [(number: Int, etag: String)], upload: String? = nil) -> String? {
            do {
                _ = try store.resolve(upload ?? id, listed: listed)
                return nil
            } catch { return error.s3Code }
        }
        #expect(code([all[1], all[0]]) == "InvalidPart")  // out of order
        #expect(code([all[0], (number: 2, etag: String(repeating: "0", count: 32))]) == "InvalidPart")  // wrong ETag
        #expect(code([all[0], (number: 7, etag: etags[1]!)]) == "InvalidPart")  // never uploaded
        #expect(code([all[2], (number: 4, etag: etags[3]!)]) == "InvalidPart")
        #expect(code([]) == "MalformedXML")
        // A part under 5 MiB before the last one.
        let small = try store.create(.init(bucket: "b", key: "k", contentType: "x/y", userMeta: [:], initiatedAt: 0))
        var smallETags: [String] = []
        for number in 1...2 {
            let staged = try await StagedBody.stage(
                Pieces([1, 2, 3], size: 3), encoding: .plain, declared: 3, limit: 64, expectedSHA256: nil,
                folder: home + "/staging")
            smallETags.append(staged.etag)
            try store.addPart(small, number: number, staged: staged)
        }
        #expect(
            code([(number: 1, etag: smallETags[0]), (number: 2, etag: smallETags[1])], upload: small)
                == "EntityTooSmall")
        try store.abort(id)
        #expect(throws: GatewayError.self) { try store.upload(id, bucket: "b", key: try ObjectKey("k")) }
        // Uploads never finished go after a while; newer ones stay.
        let recent = try store.create(.init(bucket: "b", key: "k", contentType: "", userMeta: [:], initiatedAt: 5_000))
        #expect(store.removeStale(before: 1_000) == 1)  // `small`, started at 0
        #expect(store.uploads().map(\.id) == [recent])
    }
}
