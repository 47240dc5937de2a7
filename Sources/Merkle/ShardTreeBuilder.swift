/// Builds a shard tree while the shard's bytes stream in, in chunks of any size.
///
/// Bytes are hashed straight into the running leaf hash of the current block (`H(0x00 ‖ …)`), never
/// copied or re-read, so building the tree costs one SHA-256 pass over the data. Completed blocks
/// leave only their 32-byte leaf hash behind (1 MiB for a 2 GiB shard).
public struct ShardTreeBuilder: Sendable {
    /// `H(0x00)` started: copied as the start of every block so the tag is hashed without a branch.
    private static let leafStart: SHA256 = {
        var hasher = SHA256()
        hasher.update(byte: ShardTree.leafTag)
        return hasher
    }()

    private var completed: [Hash]
    private var current = ShardTreeBuilder.leafStart
    /// Bytes of the current, unfinished block already hashed into `current`.
    private var filled = 0

    /// Every byte appended so far.
    public private(set) var byteCount = 0

    public init() {
        completed = []
    }

    /// Resumes after `completedLeaves.count` whole blocks whose leaf hashes were kept (a resumed upload).
    public init(resumingAfter completedLeaves: [Hash]) {
        completed = completedLeaves
        byteCount = completedLeaves.count * ShardTree.blockSize
    }

    /// Blocks the finished tree would have: whole blocks plus a started one.
    public var blockCount: Int { completed.count + (filled > 0 ? 1 : 0) }

    /// Leaf hashes of the whole blocks so far (what to persist to resume later).
    public var completedLeaves: [Hash] { completed }

    /// Hashes `bytes` into the tree; chunk boundaries need not match block boundaries.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        byteCount += remaining
        while remaining > 0 {
            let take = min(remaining, ShardTree.blockSize - filled)
            current.update(UnsafeRawBufferPointer(start: base, count: take))
            filled += take
            base += take
            remaining -= take
            if filled == ShardTree.blockSize {
                completed.append(current.finalize())
                current = ShardTreeBuilder.leafStart
                filled = 0
            }
        }
    }

    public mutating func append(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The tree over everything appended so far. A final short block is hashed at its real length,
    /// never padded (clients pad stripes so real shards are whole blocks; the tree is defined anyway).
    /// The builder is left as it was, so more bytes may follow.
    public func finish() -> ShardTree {
        guard filled > 0 else { return ShardTree(leaves: completed) }
        var last = current
        return ShardTree(leaves: completed + [last.finalize()])
    }
}
