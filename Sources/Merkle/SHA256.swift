import COpenSSLCrypto

/// Incremental SHA-256 through libcrypto (which uses the CPU's SHA extensions).
///
/// A value type: copying a hasher forks its state, which the shard tree uses to hash a
/// common prefix once.
public struct SHA256: Sendable {
    private var context = csha256_ctx()

    public init() {
        csha256_init(&context)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        csha256_update(&context, base, bytes.count)
    }

    public mutating func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(byte: UInt8) {
        withUnsafeBytes(of: byte) { update($0) }
    }

    /// Eight bytes, big-endian.
    public mutating func update(uint64 value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { update($0) }
    }

    /// Eight bytes, big-endian two's complement.
    public mutating func update(int64 value: Int64) {
        withUnsafeBytes(of: value.bigEndian) { update($0) }
    }

    public mutating func update(hash: Hash) {
        hash.withUnsafeBytes { update($0) }
    }

    /// Finishes the hash. The hasher must not be used afterwards.
    public mutating func finalize() -> Hash {
        var out = Hash.zero
        out.withUnsafeMutableBytes { csha256_final(&context, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
        return out
    }

    /// SHA-256 of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Hash {
        var out = Hash.zero
        out.withUnsafeMutableBytes { destination in
            csha256_oneshot(bytes.baseAddress, bytes.count, destination.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return out
    }

    public static func hash(_ bytes: some ContiguousBytes) -> Hash {
        bytes.withUnsafeBytes { hash($0) }
    }
}

/// Anything whose bytes can be read in place (`[UInt8]`, `ArraySlice`, `UnsafeRawBufferPointer`...).
public protocol ContiguousBytes {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: ContiguousBytes where Element == UInt8 {}
extension ArraySlice: ContiguousBytes where Element == UInt8 {}
extension ContiguousArray: ContiguousBytes where Element == UInt8 {}
extension UnsafeRawBufferPointer: ContiguousBytes {
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try body(self) }
}
extension UnsafeMutableRawBufferPointer: ContiguousBytes {
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(self))
    }
}
