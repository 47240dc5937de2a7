import Foundation
import Gateway
import Testing

/// Hostile bytes into the gateway's request parsers, as seeded mutations of real requests: SigV4
/// verification (Authorization header, X-Amz-Date, presigned query, path and query canonicalised from
/// arbitrary bytes) and the aws-chunked body decoder. No input may trap; only the one key verifies, never
/// 8 days late nor with no keys; a body decodes to the same outcome and bytes however it is cut, and never
/// to more bytes than came in. (These ran as libFuzzer targets too; linking the gateway into the
/// sanitised fuzz build took over half an hour, so they run here, in every test run, instead.)
@Suite struct HostileRequestTests {
    static let gatewayKey = AccessKey(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        apiKey: "gwk_example", buckets: ["*"], createdAt: 0)
    static let gatewayRing = AccessKeyring([gatewayKey])
    /// 2013-05-24T00:00:00Z, the date of AWS's SigV4 examples.
    static let gatewayNow: Int64 = 1_369_353_600

    /// A request as the fuzz input spells it: the method, the raw path and the raw query on the first
    /// three lines, then one `name:value` header a line.
    static func sigV4Request(_ bytes: [UInt8]) -> SigV4Request {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var headers: [String: String] = [:]
        for line in lines.dropFirst(3) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...])
        }
        return SigV4Request(
            method: lines.first.map(String.init) ?? "", rawPath: lines.dropFirst().first.map(String.init) ?? "",
            rawQuery: lines.dropFirst(2).first.map(String.init) ?? "", headers: headers)
    }

    static func spell(_ method: String, _ path: String, _ query: String, _ headers: [(String, String)]) -> [UInt8] {
        Array(([method, path, query] + headers.map { $0.0 + ":" + $0.1 }).joined(separator: "\n").utf8)
    }

    /// AWS's streaming-upload example: verifies with `gatewayKey`, its grant checks chunk signatures.
    static let streamingRequest = spell(
        "PUT", "/examplebucket/chunkObject.txt", "",
        [
            ("host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"), ("content-length", "66824"),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
            ),
        ])
    static let streamingGrant = try? SigV4.verify(
        sigV4Request(streamingRequest), keyring: gatewayRing, now: gatewayNow)

    /// `SigV4.verify`: the Authorization header (credential, signed headers, signature), X-Amz-Date,
    /// presigned query parameters, the path and query canonicalised from hostile bytes.
    static func checkSigV4(_ bytes: [UInt8]) {
        let request = sigV4Request(bytes)
        let signed = SigV4.isSigned(request)
        guard let grant = try? SigV4.verify(request, keyring: gatewayRing, now: gatewayNow) else { return }
        // Only a signature with the one key verifies, and it is a signed request.
        require(signed, "a request verified that isSigned calls unsigned")
        require(grant.key == gatewayKey, "verified with a key not in the ring")
        require(Array(grant.seedSignature.utf8).count == 64, "seed signature \(grant.seedSignature)")
        // Any clock far from the request's refuses it.
        require(
            (try? SigV4.verify(request, keyring: gatewayRing, now: gatewayNow + 8 * 86_400)) == nil,
            "a request verified 8 days after its date")
        require(
            (try? SigV4.verify(request, keyring: AccessKeyring([]), now: gatewayNow)) == nil,
            "a request verified with no keys")
    }

    static let sigV4Seeds: [[UInt8]] = [
            spell(
                "GET", "/test.txt", "",
                [
                    ("host", "examplebucket.s3.amazonaws.com"), ("range", "bytes=0-9"),
                    ("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                    ("x-amz-date", "20130524T000000Z"),
                    (
                        "authorization",
                        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
                    ),
                ]),
            spell(
                "GET", "/test.txt",
                "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
                [("host", "examplebucket.s3.amazonaws.com")]),
            streamingRequest,
            spell("PUT", "/b/%E2%82%AC/a%2Fb%zz", "list-type=2&prefix=%FF&&=x&y", [("host", "h")]),
        ]

    /// `AWSChunkedDecoder`: the first byte picks signed chunks (AWS's streaming example's grant) or
    /// unsigned ones, the second how the rest is cut into pieces. Whatever the cut, the outcome and the
    /// bytes decoded are the same, and never more bytes than came in.
    static func checkAWSChunked(_ bytes: [UInt8]) {
        guard bytes.count >= 2 else { return }
        let grant = bytes[0] & 1 == 1 ? streamingGrant : nil
        let piece = Int(bytes[1]) + 1
        let body = Array(bytes[2...])
        func decode(_ cut: Int) -> (ok: Bool, output: [UInt8]) {
            var decoder = AWSChunkedDecoder(grant: grant)
            var output: [UInt8] = []
            do throws(GatewayError) {
                var start = 0
                while start < body.count {
                    let end = min(body.count, start + cut)
                    try decoder.feed(body[start..<end]) { output += $0 }
                    start = end
                }
                try decoder.finish()
                return (true, output)
            } catch {
                return (false, output)
            }
        }
        let whole = decode(max(1, body.count))
        let cut = decode(piece)
        require(whole.output.count <= body.count, "decoded \(whole.output.count) bytes from \(body.count)")
        require(whole.ok == cut.ok, "the outcome depends on how the body is cut (\(piece))")
        if whole.ok { require(whole.output == cut.output, "the bytes depend on how the body is cut (\(piece))") }
    }

    static var awsChunkedSeeds: [[UInt8]] {
        var signed: [UInt8] = [1, 255]
        signed += Array(
            "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n".utf8)
        signed += [UInt8](repeating: 0x61, count: 65_536) + Array("\r\n".utf8)
        signed += Array("400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n".utf8)
        signed += [UInt8](repeating: 0x61, count: 1024) + Array("\r\n".utf8)
        signed += Array(
            "0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n".utf8)
        let unsigned: [UInt8] =
            [0, 3] + Array("5\r\nhello\r\n3\r\n abc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n".utf8)
        let bare: [UInt8] = [0, 0] + Array("0\r\n".utf8)
        return [signed, unsigned, bare]
    }

    static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        #expect(condition, "\(message())")
    }

    /// `rounds` mutations of each seed (bit flips, bytes changed, inserted, deleted, cut off, spliced from
    /// another seed), each given to `check`; the seed of the generator is printed on failure.
    static func mutate(_ seeds: [[UInt8]], rounds: Int, seed: UInt64, _ check: ([UInt8]) -> Void) {
        var random = SplitMix(seed)
        for original in seeds {
            check(original)
            for _ in 0..<rounds {
                var bytes = original
                for _ in 0...random.below(4) {
                    switch random.below(6) {
                    case 0 where !bytes.isEmpty:
                        let at = random.below(bytes.count)
                        bytes[at] ^= UInt8(1 << random.below(8))
                    case 1 where !bytes.isEmpty:
                        bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
                    case 2:
                        let interesting: [UInt8] = [0, 0x0a, 0x0d, 0x3b, 0x3d, 0x25, 0x2f, 0x2e, 0xff, 0x30, 0x39, 0x66]
                        bytes.insert(interesting[random.below(interesting.count)], at: random.below(bytes.count + 1))
                    case 3 where !bytes.isEmpty:
                        let at = random.below(bytes.count)
                        bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(16)))
                    case 4:
                        bytes = Array(bytes.prefix(random.below(bytes.count + 1)))
                    default:
                        let other = seeds[random.below(seeds.count)]
                        let at = random.below(bytes.count + 1)
                        let from = random.below(other.count + 1)
                        bytes = Array(bytes[..<at]) + Array(other[from...].prefix(64))
                    }
                }
                check(bytes)
            }
        }
    }

    @Test func sigV4VerificationHoldsOnMutatedRequests() {
        #expect(Self.streamingGrant != nil, "AWS's streaming example no longer verifies")
        Self.mutate(Self.sigV4Seeds, rounds: 3000, seed: 0x5167_0004, Self.checkSigV4)
    }

    @Test func awsChunkedDecodingHoldsOnMutatedBodies() {
        // The signed seed is 66 KiB: fewer rounds of it, many of the small ones.
        let seeds = Self.awsChunkedSeeds
        // AWS's signed example decodes whole (the mutations start from a valid body).
        var decoder = AWSChunkedDecoder(grant: Self.streamingGrant)
        var output: [UInt8] = []
        #expect(throws: Never.self) {
            try decoder.feed(seeds[0][2...]) { output += $0 }
            try decoder.finish()
        }
        #expect(output.count == 66_560)
        Self.mutate([seeds[0]], rounds: 200, seed: 0xC4E7_0001, Self.checkAWSChunked)
        Self.mutate(Array(seeds.dropFirst()), rounds: 10_000, seed: 0xC4E7_0002, Self.checkAWSChunked)
    }
}

/// A small seeded generator (SplitMix64): the same mutations every run.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A number in 0..<bound (0 when bound is 0).
    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
}
