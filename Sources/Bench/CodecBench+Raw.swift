import CISAL
import CSodium
import Merkle

/// The C libraries called directly, with nothing of ours in between: the floors our wrappers are
/// held against (`rs_encode_4_2` against `isal_encode_4_2_raw`, `ed25519_verify` against
/// `sodium_verify_raw`).
extension CodecMeasurements {
    /// `ec_encode_data` on 4 × 1 MiB with tables built once; MB/s of data.
    func isalEncodeRaw() -> BenchResult {
        let encoder = RawISALEncoder(dataShards: 4, parityShards: 2, length: Self.shardLength)
        let perSecond = measureRate(seconds: seconds) {
            encoder.encode()
            return 1
        }
        return BenchResult(
            name: "isal_encode_4_2_raw", value: perSecond * Double(4 * Self.shardLength) / 1e6, unit: "MB/s")
    }

    /// `crypto_sign_verify_detached` over 32-byte messages; verifications per second.
    func sodiumVerifyRaw() -> BenchResult {
        var publicKey = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        crypto_sign_keypair(&publicKey, &secretKey)
        let messages = (0..<256).map { SHA256.hash(benchBytes(32, seed: UInt64($0) + 1)).bytes }
        let signatures = messages.map { message -> [UInt8] in
            var signature = [UInt8](repeating: 0, count: Int(crypto_sign_BYTES))
            crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey)
            return signature
        }
        var valid = 0
        let perSecond = measureRate(seconds: seconds) {
            for index in messages.indices
            where crypto_sign_verify_detached(signatures[index], messages[index], UInt64(messages[index].count), publicKey) == 0 {
                valid += 1
            }
            return messages.count
        }
        precondition(valid > 0)
        return BenchResult(name: "sodium_verify_raw", value: perSecond, unit: "ops/s")
    }
}

/// ISA-L's encoder called directly: Cauchy tables built once, `k + m` buffers of `length` bytes (data
/// pseudo-random), `encode()` one `ec_encode_data` call over them.
final class RawISALEncoder {
    let dataShards: Int
    let parityShards: Int
    let length: Int
    private var tables: [UInt8]
    private let buffers: [UnsafeMutablePointer<UInt8>]
    private var sources: [UnsafeMutablePointer<UInt8>?]
    private var destinations: [UnsafeMutablePointer<UInt8>?]

    init(dataShards k: Int, parityShards m: Int, length: Int) {
        dataShards = k
        parityShards = m
        self.length = length
        var matrix = [UInt8](repeating: 0, count: (k + m) * k)
        gf_gen_cauchy1_matrix(&matrix, Int32(k + m), Int32(k))
        var parityRows = Array(matrix[(k * k)...])
        var tables = [UInt8](repeating: 0, count: 32 * k * m)
        ec_init_tables(Int32(k), Int32(m), &parityRows, &tables)
        self.tables = tables
        let buffers = (0..<(k + m)).map { index in
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: length)
            buffer.initialize(from: benchBytes(length, seed: UInt64(index) + 1), count: length)
            return buffer
        }
        self.buffers = buffers
        sources = Array(buffers[..<k])
        destinations = Array(buffers[k...])
    }

    /// Parity of the data buffers into the parity buffers (the pointer arrays are built once).
    func encode() {
        ec_encode_data(Int32(length), Int32(dataShards), Int32(parityShards), &tables, &sources, &destinations)
    }

    deinit { buffers.forEach { $0.deallocate() } }
}
