import Foundation
import Gateway
import NIOCore
import Testing

/// SigV4 against the examples in AWS's S3 documentation ("Signature Calculations for the
/// Authorization Header", "Query String Authentication", "Streaming Upload"), and the pieces the
/// gateway parses from hostile bytes.
@Suite struct SigV4Tests {
    static let example = AccessKey(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        apiKey: "gwk_example", buckets: ["*"], createdAt: 0)
    static let ring = AccessKeyring([example])
    static let now: Int64 = 1_369_353_600  // 2013-05-24T00:00:00Z

    static func getObject(signature: String) -> SigV4Request {
        SigV4Request(
            method: "GET", rawPath: "/test.txt", rawQuery: "",
            headers: [
                "host": "examplebucket.s3.amazonaws.com", "range": "bytes=0-9",
                "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "x-amz-date": "20130524T000000Z",
                "authorization":
                    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=\(signature)",
            ])
    }

    @Test func headerSignatureOfTheAWSExampleVerifies() throws {
        let grant = try SigV4.verify(
            Self.getObject(signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
            keyring: Self.ring, now: Self.now)
        #expect(grant.key.accessKeyID == "AKIAIOSFODNN7EXAMPLE")
    }

    @Test func aChangedSignatureHeaderOrClockIsRefused() {
        #expect(throws: GatewayError.self) {
            try SigV4.verify(
                Self.getObject(signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb42"),
                keyring: Self.ring, now: Self.now)
        }
        var changed = Self.getObject(signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        changed.headers["range"] = "bytes=0-99"
        #expect(throws: GatewayError.self) { try SigV4.verify(changed, keyring: Self.ring, now: Self.now) }
        #expect(throws: GatewayError.self) {
            try SigV4.verify(
                Self.getObject(signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
                keyring: Self.ring, now: Self.now + 3600)
        }
        #expect(throws: GatewayError.self) {
            try SigV4.verify(
                Self.getObject(signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
                keyring: AccessKeyring([]), now: Self.now)
        }
    }

    @Test func presignedURLOfTheAWSExampleVerifiesUntilItExpires() throws {
        let query =
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        let request = SigV4Request(
            method: "GET", rawPath: "/test.txt", rawQuery: query, headers: ["host": "examplebucket.s3.amazonaws.com"])
        #expect(SigV4.isSigned(request))
        _ = try SigV4.verify(request, keyring: Self.ring, now: Self.now + 100)
        #expect(throws: GatewayError.self) { try SigV4.verify(request, keyring: Self.ring, now: Self.now + 86_401) }
    }

    @Test func streamingChunksOfTheAWSExampleDecodeAndVerify() async throws {
        let request = SigV4Request(
            method: "PUT", rawPath: "/examplebucket/chunkObject.txt", rawQuery: "",
            headers: [
                "host": "s3.amazonaws.com", "x-amz-date": "20130524T000000Z",
                "x-amz-storage-class": "REDUCED_REDUNDANCY",
                "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "content-encoding": "aws-chunked",
                "x-amz-decoded-content-length": "66560", "content-length": "66824",
                "authorization":
                    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
            ])
        let grant = try SigV4.verify(request, keyring: Self.ring, now: Self.now)
        func body(lastSignature: String) -> [UInt8] {
            var bytes = Array(
                "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n".utf8)
            bytes += [UInt8](repeating: 0x61, count: 65_536) + Array("\r\n".utf8)
            bytes += Array(
                "400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n".utf8)
            bytes += [UInt8](repeating: 0x61, count: 1024) + Array("\r\n".utf8)
            bytes += Array("0;chunk-signature=\(lastSignature)\r\n\r\n".utf8)
            return bytes
        }
        let folder = NSTemporaryDirectory() + "/sigv4-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let good = body(lastSignature: "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9")
        let staged = try await StagedBody.stage(
            Pieces(good, size: 1000), encoding: .awsChunked(grant: grant), declared: 66_560, limit: 1 << 20,
            expectedSHA256: nil, folder: folder)
        #expect(staged.size == 66_560)
        #expect(FileManager.default.contents(atPath: staged.path) == Data(repeating: 0x61, count: 66_560))
        staged.remove()
        let forged = body(lastSignature: "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df8")
        await #expect(throws: GatewayError.self) {
            try await StagedBody.stage(
                Pieces(forged, size: 777), encoding: .awsChunked(grant: grant), declared: 66_560, limit: 1 << 20,
                expectedSHA256: nil, folder: folder)
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty ?? true)
    }

    @Test func plainBodiesAreCheckedForLengthHashAndLimit() async throws {
        let folder = NSTemporaryDirectory() + "/staged-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = Array("hello".utf8)
        let sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        let staged = try await StagedBody.stage(
            Pieces(bytes, size: 2), encoding: .plain, declared: 5, limit: 10, expectedSHA256: sha, folder: folder)
        #expect(staged.etag == "5d41402abc4b2a76b9719d911017c592")
        staged.remove()
        for (declared, limit, hash) in [
            (UInt64(4), UInt64(10), sha), (5, 4, sha), (5, 10, String(repeating: "0", count: 64)),
        ] {
            await #expect(throws: GatewayError.self) {
                try await StagedBody.stage(
                    Pieces(bytes, size: 2), encoding: .plain, declared: declared, limit: limit, expectedSHA256: hash,
                    folder: folder)
            }
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty ?? true)
    }

    @Test func policiesMatchInOrderByPatternTypeAndProvenance() {
        #expect(Policy.glob("session/*", "session/a/b"))
        #expect(Policy.glob("*.jpg", "photos/cat.jpg"))
        #expect(Policy.glob("a?c", "abc") && !Policy.glob("a?c", "ac"))
        #expect(!Policy.glob("session/*", "sessions/a"))
        #expect(Policy.glob("*a*a*a*a*a*b", String(repeating: "a", count: 200)) == false)
        let rules = [
            Policy(name: "json-from-alice", match: "data/*", type: "application/json", provenance: "ALICE", ttl: 10),
            Policy(name: "data", match: "data/*", ttl: 20),
            Policy(name: "rest"),
        ]
        #expect(
            Policy.first(rules, key: "data/x", type: "application/json", provenance: "ALICE")?.name == "json-from-alice"
        )
        #expect(Policy.first(rules, key: "data/x", type: "application/json", provenance: "BOB")?.name == "data")
        #expect(Policy.first(rules, key: "data/x", type: "text/plain", provenance: "ALICE")?.name == "data")
        #expect(Policy.first(rules, key: "other", type: "text/plain", provenance: "ALICE")?.name == "rest")
        #expect(Policy.first([], key: "other", type: "", provenance: "") == nil)
    }

    @Test func keysAreCheckedAsBytes() throws {
        for bad in ["", "a/../b", "..", "a//b", "/a", "a/", "a/./b", "a\u{1}b", String(repeating: "x", count: 1025)] {
            #expect(throws: GatewayError.self, "\(bad.debugDescription)") { try ObjectKey(bad) }
        }
        #expect(throws: GatewayError.self) { try ObjectKey(utf8: [0x61, 0xFF]) }
        #expect(try ObjectKey("photos/2024/été.jpg").text == "photos/2024/été.jpg")
        #expect(try ObjectKey(String(repeating: "x", count: 1024)).text.count == 1024)
        for bad in ["ab", "Photos", "-abc", "a..b", "abc-", String(repeating: "a", count: 64), "kv_x"] {
            #expect(throws: GatewayError.self, "\(bad)") { try BucketName(bad) }
        }
        #expect(try BucketName("photos-2024.eu").text == "photos-2024.eu")
    }
}

/// Bytes as an async sequence of ByteBuffers of `size` bytes each.
struct Pieces: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    let size: Int
    init(_ bytes: [UInt8], size: Int) {
        self.bytes = bytes
        self.size = size
    }
    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let size: Int
        var offset = 0
        mutating func next() async -> ByteBuffer? {
            guard offset < bytes.count else { return nil }
            let end = Swift.min(bytes.count, offset + size)
            defer { offset = end }
            return ByteBuffer(bytes: bytes[offset..<end])
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, size: size) }
}
