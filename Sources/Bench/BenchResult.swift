import Foundation

/// One measured figure, printed as a JSON line `{"name": ..., "value": ..., "unit": ...}`.
public struct BenchResult: Codable, Sendable {
    public var name: String
    public var value: Double
    public var unit: String

    public init(name: String, value: Double, unit: String) {
        self.name = name
        self.value = value
        self.unit = unit
    }

    /// The line `blob bench` prints: the JSON object, or the name padded to 24 columns, the value and the unit.
    public func printed(json: Bool) -> String {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try! encoder.encode(self), as: UTF8.self)
        }
        let formatted = value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
        return "\(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(formatted) \(unit)"
    }
}

/// Runs `body` repeatedly for at least `seconds` (after one warm-up call) and returns the best
/// rate seen over `rounds` rounds, in operations per second. `body` returns how many operations it did.
func measureRate(seconds: Double, rounds: Int = 3, _ body: () -> Int) -> Double {
    _ = body()
    let clock = ContinuousClock()
    var best = 0.0
    for _ in 0..<rounds {
        var operations = 0
        let start = clock.now
        var elapsed = Duration.zero
        while elapsed < .seconds(seconds / Double(rounds)) {
            operations += body()
            elapsed = clock.now - start
        }
        let perSecond = Double(operations) / elapsed.seconds
        best = max(best, perSecond)
    }
    return best
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}

/// Bytes that the optimiser cannot see through: a fixed pseudo-random pattern.
func benchBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var out = [UInt8](repeating: 0, count: count)
    out.withUnsafeMutableBytes { raw in
        let words = raw.bindMemory(to: UInt64.self)
        for index in words.indices {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            words[index] = state
        }
    }
    return out
}
