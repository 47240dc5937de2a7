import Foundation
import Gateway
import NIOCore
import TestProcesses
import Testing

/// aws-chunked bodies (unsigned, with a trailer, as `STREAMING-UNSIGNED-PAYLOAD-TRAILER` sends them)
/// cut into random pieces decode to the bytes sent; damaged framing is refused and leaves no file.
@Suite struct ChunkedBodyTests {
    static func encode(_ body: [UInt8], chunk: Int, trailer: Bool) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        while offset < body.count {
            let end = Swift.min(body.count, offset + chunk)
            out += Array(String(end - offset, radix: 16).utf8) + [13, 10] + body[offset..<end] + [13, 10]
            offset = end
        }
        out += Array("0\r\n".utf8)
        if trailer { out += Array("x-amz-checksum-crc32:AAAAAA==\r\n".utf8) }
        out += [13, 10]
        return out
    }

    @Test func randomBodiesInRandomPiecesDecodeExactly() async throws {
        let folder = NSTemporaryDirectory() + "/chunked-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var random = SplitMix64(seed: 0x6A7E_3A11)
        for round in 0..<40 {
            let size = random.below(5000)
            let body = (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let wire = Self.encode(body, chunk: 1 + random.below(700), trailer: round % 2 == 0)
            let staged = try await StagedBody.stage(
                Pieces(wire, size: 1 + random.below(40)), encoding: .awsChunked(grant: nil), declared: UInt64(size),
                limit: 1 << 20, expectedSHA256: nil, folder: folder)
            #expect(FileManager.default.contents(atPath: staged.path) == Data(body), "round \(round)")
            staged.remove()
        }
    }

    @Test func damagedFramingIsRefusedAndLeavesNothing() async throws {
        let folder = NSTemporaryDirectory() + "/chunked-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let body = Array("hello, gateway".utf8)
        let good = Self.encode(body, chunk: 5, trailer: false)
        var longer = good
        longer.insert(0x41, at: 9)  // a chunk longer than its size line says
        let cases: [[UInt8]] = [
            Array(good.dropLast(3)),  // ends early
            longer,
            Array("zz\r\nhello\r\n0\r\n\r\n".utf8),  // not a hex size
            Array("fffffffffffffffffff\r\n".utf8),  // size beyond any chunk
            Array(repeating: 0x31, count: 10_000),  // a size line that never ends
            good + Array("x".utf8),  // bytes after the end
        ]
        for (index, wire) in cases.enumerated() {
            await #expect(throws: GatewayError.self, "case \(index)") {
                try await StagedBody.stage(
                    Pieces(wire, size: 3), encoding: .awsChunked(grant: nil), declared: UInt64(body.count),
                    limit: 1 << 20, expectedSHA256: nil, folder: folder)
            }
        }
        // The declared length is checked too.
        await #expect(throws: GatewayError.self) {
            try await StagedBody.stage(
                Pieces(good, size: 3), encoding: .awsChunked(grant: nil), declared: UInt64(body.count + 1),
                limit: 1 << 20, expectedSHA256: nil, folder: folder)
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty ?? true)
    }
}
