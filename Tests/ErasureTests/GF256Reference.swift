import TestProcesses

/// Slow, obviously correct GF(2^8) arithmetic (polynomial x^8 + x^4 + x^3 + x^2 + 1, 0x11d) written
/// from the definitions, so ISA-L's tables and assembly are checked against something independent.
enum GF256Reference {
    /// Carry-less shift-and-add multiplication, reducing by 0x11d whenever bit 8 is set.
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var product: UInt16 = 0
        var shifted = UInt16(a)
        var b = b
        while b != 0 {
            if b & 1 == 1 { product ^= shifted }
            shifted <<= 1
            if shifted & 0x100 != 0 { shifted ^= 0x11d }
            b >>= 1
        }
        return UInt8(product)
    }

    /// `inverses[a]` is the `b` with `a·b = 1`, found by exhaustive search (`inverses[0]` is 0).
    static let inverses: [UInt8] = (0...255).map { a in
        UInt8((1...255).first { multiply(UInt8(a), UInt8($0)) == 1 } ?? 0)
    }

    /// The systematic Cauchy generator matrix by definition: identity rows, then row `i ≥ k`,
    /// column `j` is `1 / (i XOR j)`.
    static func cauchyMatrix(dataShards k: Int, totalShards n: Int) -> [[UInt8]] {
        (0..<n).map { row in
            (0..<k).map { column in
                row < k ? (row == column ? 1 : 0) : inverses[row ^ column]
            }
        }
    }

    /// Parity by plain matrix multiplication: parity `p`, byte `x` is `Σ_j M[k+p][j] · data[j][x]`.
    static func parity(of data: [[UInt8]], parityShards m: Int) -> [[UInt8]] {
        let k = data.count
        let matrix = cauchyMatrix(dataShards: k, totalShards: k + m)
        let length = data.first?.count ?? 0
        return (0..<m).map { p in
            (0..<length).map { x in
                (0..<k).reduce(UInt8(0)) { sum, j in sum ^ multiply(matrix[k + p][j], data[j][x]) }
            }
        }
    }
}

/// Deterministic bytes from a seed (SplitMix64), so a property's failing seed reproduces its data.
struct TestBytes {
    private var source: SplitMix64

    init(seed: UInt64) { source = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { source.next() }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    mutating func shards(_ count: Int, length: Int) -> [[UInt8]] {
        (0..<count).map { _ in bytes(length) }
    }

    /// `count` distinct indexes from `0..<bound`, in random order.
    mutating func distinctIndexes(_ count: Int, below bound: Int) -> [Int] {
        var pool = Array(0..<bound)
        for i in 0..<min(count, bound) {
            let j = i + Int(next() % UInt64(bound - i))
            pool.swapAt(i, j)
        }
        return Array(pool.prefix(count))
    }
}

/// Every subset of `0..<n` with at most `size` members, smallest first.
func subsets(of n: Int, upTo size: Int) -> [[Int]] {
    (0..<(1 << n)).map { mask in (0..<n).filter { mask & (1 << $0) != 0 } }.filter { $0.count <= size }
}
