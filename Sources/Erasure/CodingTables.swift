import CISAL

/// ISA-L's expanded multiplication tables (32 bytes per coefficient) for one coefficient matrix of
/// `outputs × inputs`. Building them costs far more than a small block, so they are made once per
/// coder (encoding) or per erasure pattern (decoding) and then only read, by any thread.
struct CodingTables: Sendable {
    let inputs: Int
    let outputs: Int
    private let tables: [UInt8]

    /// `coefficients` is `outputs × inputs`, row-major.
    init(inputs: Int, outputs: Int, coefficients: [UInt8]) {
        precondition(coefficients.count == inputs * outputs)
        var tables = [UInt8](repeating: 0, count: 32 * inputs * outputs)
        if outputs > 0 {
            var coefficients = coefficients
            ec_init_tables(Int32(inputs), Int32(outputs), &coefficients, &tables)
        }
        self.inputs = inputs
        self.outputs = outputs
        self.tables = tables
    }

    /// Computes every output buffer from the input buffers, each `length` bytes. The closures give
    /// the `i`-th input and output address; callers have checked counts and lengths.
    func apply(
        length: Int, input: (Int) -> UnsafeRawPointer, output: (Int) -> UnsafeMutableRawPointer
    ) {
        guard outputs > 0, length > 0 else { return }
        typealias Row = UnsafeMutablePointer<UInt8>?
        withUnsafeTemporaryAllocation(of: Row.self, capacity: inputs) { sources in
            withUnsafeTemporaryAllocation(of: Row.self, capacity: outputs) { destinations in
                for i in 0..<inputs {
                    // ISA-L's signature is not const-correct; it only reads its sources.
                    sources[i] = UnsafeMutablePointer(mutating: input(i).assumingMemoryBound(to: UInt8.self))
                }
                for i in 0..<outputs { destinations[i] = output(i).assumingMemoryBound(to: UInt8.self) }
                tables.withUnsafeBufferPointer { table in
                    ec_encode_data(
                        Int32(length), Int32(inputs), Int32(outputs), UnsafeMutablePointer(mutating: table.baseAddress),
                        sources.baseAddress, destinations.baseAddress)
                }
            }
        }
    }
}
