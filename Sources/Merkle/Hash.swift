/// A 32-byte SHA-256 digest.
///
/// Stored inline as four words so that comparing, hashing and copying never allocate.
public struct Hash: Hashable, Sendable, Comparable {
    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64
    @usableFromInline var w2: UInt64
    @usableFromInline var w3: UInt64

    public static let byteCount = 32

    /// All zero bytes: the root of an empty allocation trie.
    public static let zero = Hash(w0: 0, w1: 0, w2: 0, w3: 0)

    @inlinable init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Copies exactly 32 bytes; returns nil for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Hash.byteCount else { return nil }
        var value = Hash.zero
        value.withUnsafeMutableBytes { destination in
            _ = destination.initializeMemory(as: UInt8.self, from: bytes)
        }
        self = value
    }

    /// Reads 32 bytes from `raw`, which must hold at least that many.
    public init(unsafeBytes raw: UnsafeRawBufferPointer) {
        precondition(raw.count >= Hash.byteCount, "a hash needs 32 bytes")
        var value = Hash.zero
        value.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<32])) }
        self = value
    }

    /// Parses 64 hexadecimal digits (either case).
    public init?(hex: some StringProtocol) {
        guard let bytes = Hex.decode(hex), bytes.count == Hash.byteCount else { return nil }
        self.init(bytes: bytes)
    }

    @inlinable public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = self
        return try Swift.withUnsafeBytes(of: &copy) { try body($0) }
    }

    @inlinable mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows
        -> R
    {
        try Swift.withUnsafeMutableBytes(of: &self) { try body($0) }
    }

    /// The 32 bytes in order.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lowercase hexadecimal, 64 characters.
    public var hex: String { withUnsafeBytes { Hex.encode($0) } }

    /// Bit `index` (0 = most significant bit of the first byte), as the allocation trie reads keys.
    public func bit(_ index: Int) -> Int {
        precondition(index >= 0 && index < 256)
        return keyBit(index)
    }

    /// The first bit at which `self` and `other` differ, or nil when they are equal.
    public func firstDifferingBit(from other: Hash) -> Int? {
        // Words hold bytes in memory order; compare in big-endian so bit 0 is the first byte's top bit.
        // No arrays here: the allocation trie calls this on every insert.
        if w0 != other.w0 { return (w0.bigEndian ^ other.w0.bigEndian).leadingZeroBitCount }
        if w1 != other.w1 { return 64 + (w1.bigEndian ^ other.w1.bigEndian).leadingZeroBitCount }
        if w2 != other.w2 { return 128 + (w2.bigEndian ^ other.w2.bigEndian).leadingZeroBitCount }
        if w3 != other.w3 { return 192 + (w3.bigEndian ^ other.w3.bigEndian).leadingZeroBitCount }
        return nil
    }

    /// The first eight bytes read as a big-endian integer (how seeds become numbers).
    public var leadingUInt64: UInt64 { w0.bigEndian }

    public static func < (lhs: Hash, rhs: Hash) -> Bool {
        (lhs.w0.bigEndian, lhs.w1.bigEndian, lhs.w2.bigEndian, lhs.w3.bigEndian)
            < (rhs.w0.bigEndian, rhs.w1.bigEndian, rhs.w2.bigEndian, rhs.w3.bigEndian)
    }
}

extension Hash: CustomStringConvertible {
    public var description: String { hex }
}

extension Hash: Codable {
    /// On the wire a hash is 64 lowercase hex digits.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Hash(hex: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected 64 hex digits, got \(text.count) characters")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
