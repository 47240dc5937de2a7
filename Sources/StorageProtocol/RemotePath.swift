/// A validated path inside an allocation: absolute, `/`-separated UTF-8, no empty, `.` or `..`
/// segments, no control characters, no trailing `/`, at most 1024 bytes. Every party validates paths
/// the same way, so a path that one blobber accepts no other refuses.
public struct RemotePath: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let string: String

    public static let maxBytes = 1024

    public init(_ text: String) throws(PathError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= RemotePath.maxBytes else { throw .invalid(text, reason: "must be 1 to 1024 bytes") }
        guard bytes.first == UInt8(ascii: "/") else { throw .invalid(text, reason: "must start with /") }
        guard bytes.count > 1 else { throw .invalid(text, reason: "the root is a directory, not a file") }
        guard bytes.last != UInt8(ascii: "/") else { throw .invalid(text, reason: "must not end with /") }
        for scalar in text.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7f {
            throw .invalid(text, reason: "contains a control character")
        }
        for segment in text.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            guard !segment.isEmpty else { throw .invalid(text, reason: "contains an empty segment (//)") }
            guard segment != ".", segment != ".." else { throw .invalid(text, reason: "contains a . or .. segment") }
        }
        string = text
    }

    /// Validates raw bytes from the wire: refuses invalid UTF-8 instead of repairing it.
    public init(utf8 bytes: some Collection<UInt8>) throws(PathError) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalid(String(decoding: bytes, as: UTF8.self), reason: "is not valid UTF-8")
        }
        try self.init(text)
    }

    public var description: String { string }

    /// The directory holding this path, ending in `/` (`/a/b.txt` → `/a/`).
    public var directory: String {
        let index = string.utf8.lastIndex(of: UInt8(ascii: "/"))!
        return String(string[...index])
    }

    public static func < (lhs: RemotePath, rhs: RemotePath) -> Bool { lhs.string < rhs.string }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(string)
    }
}

public enum PathError: CodedError, Equatable {
    case invalid(String, reason: String)

    public var code: String { "path.invalid" }

    public var description: String {
        switch self {
        case .invalid(let path, let reason): "path \(path.debugDescription) \(reason)"
        }
    }
}
