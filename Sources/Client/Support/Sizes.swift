import Foundation

/// Parsing and printing of the sizes and durations users type (`2GiB`, `500MB`, `30d`, `12h`).
public enum Sizes {
    /// `2GiB`, `1.5GB`, `512MiB`, `4096`, `10KiB` (binary and decimal units, `B` optional).
    public static func parseBytes(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let number = Double(digits), number >= 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [String: Double] = [
            "": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
            "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let value = number * multiplier
        guard value < 1.8e19 else { return nil }
        return UInt64(value.rounded())
    }

    /// `30d`, `12h`, `90m`, `45s`, `2w` as milliseconds.
    public static func parseDuration(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last, let number = Int64(trimmed.dropLast()), number > 0 else { return nil }
        let multipliers: [Character: Int64] = [
            "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let (value, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : value
    }

    /// A positive duration in its largest whole unit and the next: `29 d 23 h`, `5 h 2 m`, `40 s`.
    public static func formatDuration(milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        let units: [(String, Int64)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        guard let first = units.firstIndex(where: { seconds >= $0.1 }) else { return "0 s" }
        let (name, size) = units[first]
        var text = "\(seconds / size) \(name)"
        if first + 1 < units.count, case let (next, nextSize) = units[first + 1], (seconds % size) / nextSize > 0 {
            text += " \((seconds % size) / nextSize) \(next)"
        }
        return text
    }

    /// `1.50 GiB`.
    public static func format(bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\((value * 100).rounded() / 100) \(units[unit])"
    }
}
