import Erasure
import Merkle
import StorageProtocol

/// The per-core speed of every primitive on the data path (`blob bench codec`), each next to the raw
/// library figure it is held against.
public struct CodecMeasurements: Sendable {
    public let seconds: Double

    /// `seconds`: how long each measurement runs.
    public init(seconds: Double) {
        self.seconds = seconds
    }

    /// Every measurement, in the order `blob bench codec` prints them.
    public var all: [() -> BenchResult] {
        [
            { rsEncode(k: 4, m: 2) }, isalEncodeRaw, { rsEncode(k: 10, m: 4) }, rsReconstruct,
            shardTree, sha256Raw, trieUpdate100k, ed25519Sign, ed25519Verify, sodiumVerifyRaw, aesGCM,
        ]
    }

    static let shardLength = 1 << 20

    /// Reed-Solomon encode of `k` data shards of 1 MiB into `m` parity shards; MB/s of data.
    func rsEncode(k: Int, m: Int) -> BenchResult {
        let coder = try! ErasureCoder(dataShards: k, parityShards: m)
        let data = (0..<k).map { benchBytes(Self.shardLength, seed: UInt64($0) + 1) }
        var parity = (0..<m).map { _ in [UInt8](repeating: 0, count: Self.shardLength) }
        let perSecond = withPointers(data, &parity) { input, output in
            measureRate(seconds: seconds) {
                try! coder.encode(data: input, parity: output)
                return 1
            }
        }
        return BenchResult(
            name: "rs_encode_\(k)_\(m)", value: perSecond * Double(k * Self.shardLength) / 1e6, unit: "MB/s")
    }

    /// Rebuilds two lost data shards of a 4+2 stripe from the other four; MB/s of data.
    func rsReconstruct() -> BenchResult {
        let coder = try! ErasureCoder(dataShards: 4, parityShards: 2)
        let data = (0..<4).map { benchBytes(Self.shardLength, seed: UInt64($0) + 1) }
        let parity = try! coder.encode(data)
        let survivors = [data[2], data[3], parity[0], parity[1]]
        var rebuilt = (0..<2).map { _ in [UInt8](repeating: 0, count: Self.shardLength) }
        let perSecond = withPointers(survivors, &rebuilt) { input, output in
            let present = [2: input[0], 3: input[1], 4: input[2], 5: input[3]]
            let missing = [0: output[0], 1: output[1]]
            return measureRate(seconds: seconds) {
                try! coder.reconstruct(present: present, missing: missing)
                return 1
            }
        }
        precondition(rebuilt[0] == data[0] && rebuilt[1] == data[1], "reconstruction is wrong")
        return BenchResult(
            name: "rs_reconstruct_4_2", value: perSecond * Double(4 * Self.shardLength) / 1e6, unit: "MB/s")
    }

    /// SHA-256 of 64 KiB blocks straight through libcrypto: the ceiling for the shard tree.
    func sha256Raw() -> BenchResult {
        let block = benchBytes(65_536)
        let perSecond = measureRate(seconds: seconds) {
            for _ in 0..<64 { _ = SHA256.hash(block) }
            return 64
        }
        return BenchResult(name: "sha256_raw", value: perSecond * 65_536 / 1e6, unit: "MB/s")
    }

    /// AES-256-GCM sealing of 1 MiB stripes in place (a fresh nonce per stripe); MB/s of plaintext.
    func aesGCM() -> BenchResult {
        let cipher = StripeCipher.random()
        let stripe = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.shardLength, alignment: 64)
        defer { stripe.deallocate() }
        let plaintext = StripeCipher.plaintextCapacity(stripeLength: Self.shardLength)
        benchBytes(Self.shardLength).withUnsafeBytes { stripe.copyMemory(from: $0) }
        var index = 0
        // Each round seals the previous round's output again: the bytes differ, the work is the same.
        let perSecond = measureRate(seconds: seconds) {
            try! cipher.seal(stripe: stripe, plaintextLength: plaintext, index: index)
            index += 1
            return 1
        }
        return BenchResult(name: "aes_gcm", value: perSecond * Double(plaintext) / 1e6, unit: "MB/s")
    }

    func ed25519Sign() -> BenchResult {
        let key = SigningKey.generate()
        var message = SHA256.hash(benchBytes(32))
        let perSecond = measureRate(seconds: seconds) {
            for _ in 0..<256 { message = SHA256.hash(key.signature(over: message).bytes) }
            return 256
        }
        return BenchResult(name: "ed25519_sign", value: perSecond, unit: "ops/s")
    }

    func ed25519Verify() -> BenchResult {
        let key = SigningKey.generate()
        let messages = (0..<256).map { SHA256.hash(benchBytes(32, seed: UInt64($0) + 1)) }
        let signatures = messages.map { key.signature(over: $0) }
        var valid = 0
        let perSecond = measureRate(seconds: seconds) {
            for index in messages.indices where key.publicKey.isValidSignature(signatures[index], over: messages[index])
            {
                valid += 1
            }
            return messages.count
        }
        precondition(valid > 0)
        return BenchResult(name: "ed25519_verify", value: perSecond, unit: "ops/s")
    }
}

/// Runs `body` with stable pointers to every buffer of `inputs` and `outputs`.
func withPointers<R>(
    _ inputs: [[UInt8]], _ outputs: inout [[UInt8]],
    _ body: ([UnsafeRawBufferPointer], [UnsafeMutableRawBufferPointer]) -> R
) -> R {
    let inputPointers = inputs.map { array -> UnsafeMutableRawBufferPointer in
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: array.count, alignment: 64)
        array.withUnsafeBytes { copy.copyMemory(from: $0) }
        return copy
    }
    let outputPointers = outputs.map { UnsafeMutableRawBufferPointer.allocate(byteCount: $0.count, alignment: 64) }
    defer {
        inputPointers.forEach { $0.deallocate() }
        outputPointers.forEach { $0.deallocate() }
    }
    let result = body(inputPointers.map { UnsafeRawBufferPointer($0) }, outputPointers)
    for index in outputs.indices {
        outputs[index] = Array(outputPointers[index])
    }
    return result
}
