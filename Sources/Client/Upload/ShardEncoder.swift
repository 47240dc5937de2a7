public import Erasure
public import Merkle
public import NIOCore
public import StorageProtocol

/// Turns a file's plaintext into `n` shards, a batch of stripes at a time: optional AES-256-GCM per
/// stripe, then Reed-Solomon, then every shard's blocks into its shard tree and the plaintext into the
/// content hash (docs/PROTOCOL.md sections 5.2–5.3).
///
/// A class because it owns the stripe cipher and running hashes; one upload task owns it.
public final class ShardEncoder {
    public let coder: ErasureCoder
    let cipher: StripeCipher?
    public private(set) var trees: [ShardTreeBuilder]
    private var contentHasher = SHA256()
    private var stripeIndex = 0
    private let scratch: UnsafeMutableRawBufferPointer
    private let parityScratch: UnsafeMutableRawBufferPointer
    public private(set) var plaintextBytes: UInt64 = 0

    public static let blockSize = ShardTree.blockSize

    public init(coder: ErasureCoder, encrypt: Bool) {
        self.coder = coder
        self.cipher = encrypt ? StripeCipher.random() : nil
        self.trees = Array(repeating: ShardTreeBuilder(), count: coder.totalShards)
        self.scratch = .allocate(byteCount: coder.dataShards * Self.blockSize, alignment: 64)
        self.parityScratch = .allocate(byteCount: max(1, coder.parityShards) * Self.blockSize, alignment: 64)
    }

    deinit {
        scratch.deallocate()
        parityScratch.deallocate()
    }

    /// The file key to wrap into the entry; nil without encryption.
    public var stripeKey: StripeKey? { cipher?.stripeKey }

    public var stripeLength: Int { coder.dataShards * Self.blockSize }
    /// Plaintext bytes one stripe carries: `S`, or `S − 16` with encryption.
    public var plaintextPerStripe: Int { cipher == nil ? stripeLength : stripeLength - StripeCipher.tagByteCount }

    /// Stripes a file of `size` bytes has: at least one, since a shard holds at least one block (an
    /// empty file's one stripe is all padding).
    public static func stripeCount(size: UInt64, plaintextPerStripe: Int) -> UInt64 {
        let per = UInt64(plaintextPerStripe)
        return max(1, size / per + (size % per == 0 ? 0 : 1))
    }

    /// Encodes the stripes of `plaintext` (whole stripes, the file's last may be short) into `shards`:
    /// shard `i` receives one 64 KiB block per stripe, appended in order, in the buffer that is then
    /// sent as it is.
    public func encode(plaintext: UnsafeRawBufferPointer, into shards: inout [ByteBuffer]) throws(ClientError) {
        precondition(shards.count == coder.totalShards)
        let per = plaintextPerStripe
        let stripes = plaintext.count / per + (plaintext.count % per == 0 ? 0 : 1)
        let block = Self.blockSize
        for index in shards.indices {
            shards[index].reserveCapacity(minimumWritableBytes: stripes * block)
        }
        contentHasher.update(plaintext)
        plaintextBytes += UInt64(plaintext.count)
        for stripe in 0..<stripes {
            let start = stripe * per
            let length = min(per, plaintext.count - start)
            scratch.copyMemory(from: UnsafeRawBufferPointer(rebasing: plaintext[start..<(start + length)]))
            try encodeScratch(plaintextLength: length, into: &shards)
        }
    }

    /// Encodes the one stripe of an empty file: all padding (with encryption, the tag of no bytes).
    public func encodeEmptyFile(into shards: inout [ByteBuffer]) throws(ClientError) {
        precondition(shards.count == coder.totalShards && stripeIndex == 0)
        try encodeScratch(plaintextLength: 0, into: &shards)
    }

    /// Seals (optionally) and codes the stripe whose first `plaintextLength` bytes are in `scratch`,
    /// appending one block to every shard.
    private func encodeScratch(plaintextLength length: Int, into shards: inout [ByteBuffer]) throws(ClientError) {
        let k = coder.dataShards
        let block = Self.blockSize
        let parity = (0..<coder.parityShards).map {
            UnsafeMutableRawBufferPointer(rebasing: parityScratch[($0 * block)..<(($0 + 1) * block)])
        }
        if let cipher {
            do {
                try cipher.seal(stripe: scratch, plaintextLength: length, index: stripeIndex)
            } catch {
                throw .invalidArgument("stripe encryption refused: \(error)")
            }
        } else if length < stripeLength {
            UnsafeMutableRawBufferPointer(rebasing: scratch[length...]).initializeMemory(as: UInt8.self, repeating: 0)
        }
        stripeIndex += 1
        let stripeView = UnsafeRawBufferPointer(scratch)
        try! coder.encode(stripe: stripeView, parity: parity)  // shapes fixed by construction
        for j in 0..<k {
            let blockBytes = UnsafeRawBufferPointer(rebasing: stripeView[(j * block)..<((j + 1) * block)])
            trees[j].append(blockBytes)
            shards[j].writeBytes(blockBytes)
        }
        for p in 0..<coder.parityShards {
            let parityBlock = UnsafeRawBufferPointer(parity[p])
            trees[k + p].append(parityBlock)
            shards[k + p].writeBytes(parityBlock)
        }
    }

    /// SHA-256 of all plaintext encoded so far.
    public var contentHash: Hash {
        var copy = contentHasher
        return copy.finalize()
    }
}
