public import Foundation
import Merkle
public import NIOCore

/// A request body written to a local file as it arrives, with its MD5 (the S3 ETag), SHA-256 and
/// length, before anything reaches the blobbers: a body longer or shorter than declared, or whose
/// hash or chunk signatures do not match, is refused with nothing committed. The caller deletes it.
public struct StagedBody: Sendable {
    public let path: String
    public let size: UInt64
    public let md5: [UInt8]
    public let sha256: [UInt8]

    public var etag: String { hex(md5) }

    public func remove() { unlink(path) }

    /// How the body is framed.
    public enum Encoding: Sendable {
        case plain
        /// `Content-Encoding: aws-chunked`; with the grant, every chunk signature is checked.
        case awsChunked(grant: SigV4Grant?)
    }

    /// Streams `body` into a new file under `folder`. `declared`: the length the client announced (for
    /// aws-chunked, `x-amz-decoded-content-length`); `limit`: the most accepted; `expectedSHA256`: the
    /// signed payload hash to check, when the client signed one.
    public static func stage<Body: AsyncSequence>(
        _ body: Body, encoding: Encoding, declared: UInt64?, limit: UInt64, expectedSHA256: String?,
        folder: String
    ) async throws -> StagedBody where Body.Element == ByteBuffer {
        if let declared, declared > limit {
            throw GatewayError.bodyTooLarge("the body is \(declared) bytes; this gateway accepts at most \(limit)")
        }
        try? FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = folder + "/" + UUID().uuidString
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw GatewayError.local("cannot create a staging file in \(folder): errno \(errno)") }
        var sink = Sink(fd: fd, limit: limit)
        do {
            switch encoding {
            case .plain:
                for try await buffer in body { try sink.write(buffer.readableBytesView) }
            case .awsChunked(let grant):
                var decoder = AWSChunkedDecoder(grant: grant)
                for try await buffer in body {
                    try decoder.feed(buffer.readableBytesView) { bytes throws(GatewayError) in try sink.write(bytes) }
                }
                try decoder.finish()
            }
            close(fd)
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        let staged = StagedBody(
            path: path, size: sink.count, md5: sink.md5.finalize(), sha256: sink.sha256.finalize().bytes)
        if let declared, declared != staged.size {
            staged.remove()
            throw GatewayError.incompleteBody("the body is \(staged.size) bytes, not the \(declared) declared")
        }
        if let expectedSHA256, hex(staged.sha256) != expectedSHA256.lowercased() {
            staged.remove()
            throw GatewayError.badDigest("the body's SHA-256 is not the x-amz-content-sha256 signed")
        }
        return staged
    }

    struct Sink {
        let fd: Int32
        let limit: UInt64
        var count: UInt64 = 0
        var md5 = MD5Stream()
        var sha256 = SHA256()

        mutating func write(_ bytes: some Collection<UInt8>) throws(GatewayError) {
            let (total, overflow) = count.addingReportingOverflow(UInt64(bytes.count))
            guard !overflow, total <= limit else {
                throw .bodyTooLarge("the body is over the \(limit) bytes this gateway accepts")
            }
            count = total
            let array = Array(bytes)
            md5.update(array)
            sha256.update(array)
            var offset = 0
            while offset < array.count {
                let written = array[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
                guard written > 0 else { throw .local("cannot write the staging file: errno \(errno)") }
                offset += written
            }
        }
    }
}

/// The aws-chunked body framing: `HEX[;chunk-signature=SIG]\r\nDATA\r\n` ... `0[;...]\r\n`, then trailer
/// lines and an empty line. With a grant, each chunk's signature is checked against the chain.
/// Public for the fuzz target (Fuzz/Sources/BlobFuzz/Targets+Gateway.swift).
public struct AWSChunkedDecoder {
    enum State { case header, data(remaining: Int), dataEnd(Int), trailer, done }
    var state = State.header
    var line: [UInt8] = []
    let grant: SigV4Grant?
    var previousSignature: String
    var chunkSignature = ""
    var chunkHash = SHA256()
    static let maxLine = 8192
    static let maxChunk = 1 << 30

    public init(grant: SigV4Grant?) {
        self.grant = grant
        previousSignature = grant?.seedSignature ?? ""
    }

    /// Decodes `bytes`, the next piece of the body, handing each piece of data to `output`.
    public mutating func feed(_ bytes: some Collection<UInt8>, _ output: ([UInt8]) throws(GatewayError) -> Void)
        throws(GatewayError)
    {
        let array = Array(bytes)
        var index = 0
        while index < array.count {
            switch state {
            case .header, .trailer:
                let byte = array[index]
                index += 1
                line.append(byte)
                guard line.count <= Self.maxLine else {
                    throw .incompleteBody("an aws-chunked header line is too long")
                }
                guard line.count >= 2, line[line.count - 2] == 0x0D, byte == 0x0A else { continue }
                let text = String(decoding: line.dropLast(2), as: UTF8.self)
                line.removeAll(keepingCapacity: true)
                if case .trailer = state {
                    if text.isEmpty { state = .done }
                    continue
                }
                let fields = text.split(separator: ";", maxSplits: 1)
                guard let sizeText = fields.first, let size = Int(sizeText, radix: 16), size >= 0, size <= Self.maxChunk
                else { throw .incompleteBody("an aws-chunked chunk size is not valid") }
                chunkSignature = ""
                if fields.count == 2, fields[1].hasPrefix("chunk-signature=") {
                    chunkSignature = String(fields[1].dropFirst("chunk-signature=".count))
                }
                if grant != nil, chunkSignature.isEmpty {
                    throw .signatureMismatch("an aws-chunked chunk carries no signature")
                }
                chunkHash = SHA256()
                if size == 0 {
                    try checkChunk()
                    state = .trailer
                } else {
                    state = .data(remaining: size)
                }
            case .data(let remaining):
                let take = min(remaining, array.count - index)
                let piece = Array(array[index..<(index + take)])
                chunkHash.update(piece)
                try output(piece)
                index += take
                state = remaining - take == 0 ? .dataEnd(0) : .data(remaining: remaining - take)
            case .dataEnd(let seen):
                let expected: UInt8 = seen == 0 ? 0x0D : 0x0A
                guard array[index] == expected else {
                    throw .incompleteBody("an aws-chunked chunk is longer than it says")
                }
                index += 1
                if seen == 1 {
                    try checkChunk()
                    state = .header
                } else {
                    state = .dataEnd(1)
                }
            case .done:
                throw .incompleteBody("bytes after the end of an aws-chunked body")
            }
        }
    }

    mutating func checkChunk() throws(GatewayError) {
        guard let grant else { return }
        let expected = SigV4.chunkSignature(
            grant: grant, previous: previousSignature, chunkHash: hex(chunkHash.finalize().bytes))
        guard constantTimeEqual(Array(expected.utf8), Array(chunkSignature.lowercased().utf8)) else {
            throw .signatureMismatch("an aws-chunked chunk signature does not match")
        }
        previousSignature = expected
    }

    /// Throws unless the body ended where aws-chunked says it does.
    public func finish() throws(GatewayError) {
        switch state {
        case .done: return
        case .trailer where line.isEmpty: return  // no trailer section at all
        default: throw .incompleteBody("the aws-chunked body ended early")
        }
    }
}
