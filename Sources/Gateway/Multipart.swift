public import Client
import Foundation
import Merkle
import NIOCore

/// Multipart uploads staged on the gateway's disk (`HOME/gateway-multipart/UPLOAD_ID/`): each part a
/// file with its MD5; completion streams the listed parts, in order, as one file to the blobbers
/// (one commit), never holding the object in memory. Nothing reaches the blobbers before completion.
public struct MultipartStore: Sendable {
    public let folder: String
    static let minimumPartSize: UInt64 = 5 << 20
    static let maximumParts = 10_000

    public init(home: String) { folder = home + "/gateway-multipart" }

    public struct Upload: Codable, Sendable {
        var bucket: String
        var key: String
        var contentType: String
        var userMeta: [String: String]
        var initiatedAt: Int64

        enum CodingKeys: String, CodingKey {
            case bucket, key
            case contentType = "content_type"
            case userMeta = "user_meta"
            case initiatedAt = "initiated_at"
        }
    }

    public struct Part: Sendable {
        public var number: Int
        public var etag: String
        public var size: UInt64
        public var modifiedAt: Int64
        var path: String
    }

    func directory(_ id: String) throws(GatewayError) -> String {
        guard id.count == 32, id.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { throw .noSuchUpload(id) }
        return folder + "/" + id
    }

    public func create(_ upload: Upload) throws(GatewayError) -> String {
        let id = hex((0..<16).map { _ in UInt8.random(in: 0...255) })
        let dir = folder + "/" + id
        do {
            try FileManager.default.createDirectory(
                atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try JSONEncoder().encode(upload).write(to: URL(fileURLWithPath: dir + "/upload.json"))
        } catch { throw .local("cannot start a multipart upload in \(dir): \(error)") }
        return id
    }

    public func upload(_ id: String, bucket: String, key: ObjectKey) throws(GatewayError) -> Upload {
        let dir = try directory(id)
        guard let data = FileManager.default.contents(atPath: dir + "/upload.json"),
            let upload = try? JSONDecoder().decode(Upload.self, from: data), upload.bucket == bucket,
            upload.key == key.text
        else { throw .noSuchUpload(id) }
        return upload
    }

    /// Moves a staged part into the upload (replacing an earlier part of that number).
    public func addPart(_ id: String, number: Int, staged: StagedBody) throws(GatewayError) {
        let dir = try directory(id)
        let base = dir + "/part-\(number)"
        guard rename(staged.path, base) == 0 else { throw .local("cannot keep part \(number): errno \(errno)") }
        FileManager.default.createFile(atPath: base + ".md5", contents: Data(staged.etag.utf8))
    }

    public func parts(_ id: String) throws(GatewayError) -> [Part] {
        let dir = try directory(id)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        var parts: [Part] = []
        for name in names where name.hasPrefix("part-") && !name.hasSuffix(".md5") {
            guard let number = Int(name.dropFirst("part-".count)),
                let md5 = FileManager.default.contents(atPath: dir + "/" + name + ".md5"),
                let attributes = try? FileManager.default.attributesOfItem(atPath: dir + "/" + name),
                let size = (attributes[.size] as? NSNumber)?.uint64Value
            else { continue }
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            parts.append(
                Part(
                    number: number, etag: String(decoding: md5, as: UTF8.self), size: size,
                    modifiedAt: Int64(modified * 1000), path: dir + "/" + name))
        }
        return parts.sorted { $0.number < $1.number }
    }

    public func abort(_ id: String) throws(GatewayError) {
        let dir = try directory(id)
        guard FileManager.default.fileExists(atPath: dir) else { throw .noSuchUpload(id) }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Deletes uploads started before `cutoff` (Unix milliseconds) and never completed or aborted.
    /// Returns how many.
    @discardableResult
    public func removeStale(before cutoff: Int64) -> Int {
        var removed = 0
        for (id, upload) in uploads() where upload.initiatedAt < cutoff {
            if (try? abort(id)) != nil { removed += 1 }
        }
        return removed
    }

    public func uploads() -> [(id: String, upload: Upload)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().compactMap { id in
            guard let data = FileManager.default.contents(atPath: folder + "/" + id + "/upload.json"),
                let upload = try? JSONDecoder().decode(Upload.self, from: data)
            else { return nil }
            return (id, upload)
        }
    }

    /// The parts a completion lists, checked: ascending numbers, each staged with that ETag, all but the
    /// last at least 5 MiB. Returns the parts and the multipart ETag (MD5 of the parts' MD5s, `-N`).
    public func resolve(_ id: String, listed: [(number: Int, etag: String)]) throws(GatewayError)
        -> (parts: [Part], etag: String)
    {
        guard !listed.isEmpty else { throw .malformedXML("the completion lists no parts") }
        guard listed.count <= Self.maximumParts else { throw .malformedXML("more than 10000 parts") }
        let staged = Dictionary(try parts(id).map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        var chosen: [Part] = []
        var previous = 0
        var md5s: [UInt8] = []
        for item in listed {
            guard item.number > previous else {
                throw .invalidPart("parts must be listed in ascending order (InvalidPartOrder)")
            }
            previous = item.number
            let wanted = item.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            guard let part = staged[item.number], part.etag == wanted else {
                throw .invalidPart("part \(item.number) with ETag \(wanted) was not uploaded")
            }
            chosen.append(part)
            guard let bytes = Hex.decode(part.etag) else {
                throw .invalidPart("part \(item.number) has no valid ETag")
            }
            md5s += bytes
        }
        for part in chosen.dropLast() where part.size < Self.minimumPartSize {
            throw .entityTooSmall(
                "part \(part.number) is \(part.size) bytes; every part but the last must be at least 5 MiB")
        }
        let etag = hex(Digest.md5(md5s)) + "-\(chosen.count)"
        return (chosen, etag)
    }
}

/// The bytes of local files one after another, read 1 MiB at a time.
struct ConcatenatedFiles: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let paths: [String]

    struct AsyncIterator: AsyncIteratorProtocol {
        var paths: [String]
        var index = 0
        var fd: Int32 = -1

        mutating func next() async throws -> ByteBuffer? {
            while index < paths.count {
                if fd < 0 {
                    fd = open(paths[index], O_RDONLY | O_CLOEXEC)
                    guard fd >= 0 else { throw GatewayError.local("cannot open part \(paths[index]): errno \(errno)") }
                }
                var buffer = ByteBufferAllocator().buffer(capacity: 1 << 20)
                let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 1 << 20) { pointer in
                    Swift.max(0, read(fd, pointer.baseAddress, 1 << 20))
                }
                if count > 0 { return buffer }
                close(fd)
                fd = -1
                index += 1
            }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(paths: paths) }
}
