import ArgumentParser
import Erasure
import Merkle
import StorageProtocol

/// `blob bench codec`: the per-core speed of every primitive on the data path, each next to the raw
/// library figure it is held against.
struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Measure erasure coding, hashing, the allocation trie, signatures and encryption on one core.")

    @Flag(help: "Print one JSON object per line.")
    var json = false

    @Option(help: "Seconds to spend on each measurement.")
    var seconds: Double = 1.5

    func validate() throws {
        guard seconds > 0, seconds <= 60 else { throw ValidationError("--seconds must be in (0, 60]") }
    }

    func run() throws {
        for measurement in CodecMeasurements(seconds: seconds).all {
            let result = measurement()
            print(result.printed(json: json))
        }
    }
}

struct CodecMeasurements {
    let seconds: Double

    var all: [() -> BenchResult] {
        [sha256Raw, ed25519Sign, ed25519Verify]
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
            for index in messages.indices where key.publicKey.isValidSignature(signatures[index], over: messages[index]) {
                valid += 1
            }
            return messages.count
        }
        precondition(valid > 0)
        return BenchResult(name: "ed25519_verify", value: perSecond, unit: "ops/s")
    }
}
