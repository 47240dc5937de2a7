import Foundation

/// A validated path inside an allocation: absolute, `/`-separated UTF-8 in Unicode Normalization Form C,
/// no empty, `.` or `..` segments, no control characters, no trailing `/`, at most 1024 bytes. Every party
/// validates paths the same way, so a path that one blobber accepts no other refuses.
///
/// One normalisation matters because the allocation trie is keyed by the path's bytes while Swift compares
/// strings by canonical equivalence: `é` precomposed and `e` + combining acute are one name to a person and
/// to `==`, two names to SHA-256. Blobbers refuse a path that is not NFC; clients normalise what a user
/// types or a local directory holds (`init(normalizing:)`) before anything is signed.
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
        for segment in text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst() {
            guard !segment.isEmpty else { throw .invalid(text, reason: "contains an empty segment (//)") }
            guard !segment.elementsEqual([UInt8(ascii: ".")]), !segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")])
            else { throw .invalid(text, reason: "contains a . or .. segment") }
        }
        guard Self.isNFC(text) else { throw .invalid(text, reason: "is not in Unicode Normalization Form C") }
        string = text
    }

    /// Normalises `text` to NFC, then validates it: for paths a user typed or a local folder named.
    public init(normalizing text: String) throws(PathError) {
        try self.init(Self.normalized(text))
    }

    /// `text` in NFC: how a client names a path or directory prefix before sending it. ASCII is NFC
    /// already, and the common case.
    public static func normalized(_ text: String) -> String {
        text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
    }

    /// Whether the bytes of `text` are already NFC.
    static func isNFC(_ text: String) -> Bool {
        normalized(text).utf8.elementsEqual(text.utf8)
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
        // Sliced as bytes: a String index from the UTF-8 view rounds to whole characters, so a last segment
        // that starts with a combining mark ("/a/\u{301}b") would be cut after it.
        let index = string.utf8.lastIndex(of: UInt8(ascii: "/"))!
        return String(decoding: string.utf8[...index], as: UTF8.self)
    }

    public static func < (lhs: RemotePath, rhs: RemotePath) -> Bool { lhs.string < rhs.string }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // A PathError, not a DecodingError: a bad path in a JSON body answers `path.invalid` like one in a query.
        try self.init(try container.decode(String.self))
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
