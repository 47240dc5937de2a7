import CISAL

/// The systematic generator matrix: `k + m` rows of `k` GF(2^8) coefficients, row-major. Rows `0..<k`
/// are the identity (shard `i < k` is data shard `i` unchanged); row `i ≥ k`, column `j` is
/// `1 / (i XOR j)` in GF(2^8) with polynomial 0x11d, exactly what ISA-L's `gf_gen_cauchy1_matrix`
/// writes. Any `k` of its rows are independent, which is what lets any `k` shards rebuild the rest.
struct CodingMatrix: Sendable {
    let dataShards: Int
    let totalShards: Int
    /// `totalShards × dataShards` coefficients, row-major.
    let coefficients: [UInt8]

    init(dataShards k: Int, totalShards n: Int) {
        var rows = [UInt8](repeating: 0, count: n * k)
        gf_gen_cauchy1_matrix(&rows, Int32(n), Int32(k))
        self.dataShards = k
        self.totalShards = n
        self.coefficients = rows
    }

    /// The parity rows (`k..<k+m`), the input `ec_init_tables` wants for encoding.
    var parityRows: [UInt8] { Array(coefficients[(dataShards * dataShards)...]) }

    /// Coefficient rows that compute the shards `missing` from the `k` shards `survivors`.
    ///
    /// With `B` the survivors' rows of this matrix, `data = B⁻¹ · survivors`; so a missing data shard
    /// `r` is row `r` of `B⁻¹`, and a missing parity shard `r` is `row(r) · B⁻¹`.
    func decodeRows(survivors: [Int], missing: [Int]) -> [UInt8] {
        let k = dataShards
        precondition(survivors.count == k)
        var selected = [UInt8]()
        selected.reserveCapacity(k * k)
        for row in survivors { selected += coefficients[(row * k)..<(row * k + k)] }
        var inverse = [UInt8](repeating: 0, count: k * k)
        // Any k rows of an identity-over-Cauchy matrix are independent: a singular pick is a bug here.
        let status = gf_invert_matrix(&selected, &inverse, Int32(k))
        precondition(status == 0, "Cauchy submatrix \(survivors) is singular")

        var rows = [UInt8](repeating: 0, count: missing.count * k)
        for (out, row) in missing.enumerated() {
            if row < k {
                for column in 0..<k { rows[out * k + column] = inverse[row * k + column] }
                continue
            }
            for column in 0..<k {
                var sum: UInt8 = 0
                for inner in 0..<k {
                    sum ^= gf_mul(coefficients[row * k + inner], inverse[inner * k + column])
                }
                rows[out * k + column] = sum
            }
        }
        return rows
    }
}
