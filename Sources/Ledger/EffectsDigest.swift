import Merkle

/// A running SHA-256 over the ledger clock a transaction was applied at and the canonical encodings
/// of every state row it writes, in the order it writes them: `H(0x43 ‖ i64be(applied_at) ‖ row ‖ row ‖ ...)`,
/// each row `tag ‖ fields` (big-endian integers, raw 32-byte hashes and keys, strings as u32be length ‖ UTF-8).
struct EffectsDigest {
    enum Tag: UInt8 {
        case account = 0x01
        case supply = 0x02
        case blobber = 0x03
        case allocation = 0x04
        case allocationBlobber = 0x05
        case marker = 0x06
        case challenge = 0x07
        case allocationBlobberRemoved = 0x08
        case ticketRevocation = 0x09
    }

    static let hashTag: UInt8 = 0x43

    private var hasher: SHA256
    private(set) var rowCount = 0
    /// The ledger clock the transaction is applied at.
    let appliedAt: Int64

    init(appliedAt: Int64) {
        self.appliedAt = appliedAt
        hasher = SHA256()
        hasher.update(byte: EffectsDigest.hashTag)
        hasher.update(int64: appliedAt)
    }

    mutating func row(tag: Tag, _ fields: (inout RowEncoder) -> Void) {
        var encoder = RowEncoder(hasher: hasher)
        encoder.u8(tag.rawValue)
        fields(&encoder)
        hasher = encoder.hasher
        rowCount += 1
    }

    func finalize() -> Hash {
        var copy = hasher
        return copy.finalize()
    }

    struct RowEncoder {
        var hasher: SHA256
        mutating func u8(_ value: UInt8) { hasher.update(byte: value) }
        mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.bigEndian) { hasher.update($0) } }
        mutating func u64(_ value: UInt64) { hasher.update(uint64: value) }
        mutating func i64(_ value: Int64) { hasher.update(int64: value) }
        mutating func hash(_ value: Hash) { hasher.update(hash: value) }
        mutating func bytes(_ value: [UInt8]) { hasher.update(value) }
        mutating func string(_ value: String) {
            let utf8 = Array(value.utf8)
            u32(UInt32(utf8.count))
            hasher.update(utf8)
        }
    }
}
