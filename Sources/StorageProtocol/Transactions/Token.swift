/// Amounts on the ledger are integer units: 1 token = 10^10 units. Prices are units per GiB.
public enum Token {
    public static let unitsPerToken: UInt64 = 10_000_000_000
    /// Prices are per 2^30 bytes.
    public static let gibibyte: UInt64 = 1 << 30

    /// `ceil(bytes × pricePerGiB / GiB)` without overflow (nil when the result does not fit 64 bits).
    public static func costRoundedUp(bytes: UInt64, pricePerGiB: UInt64) -> UInt64? {
        let (high, low) = bytes.multipliedFullWidth(by: pricePerGiB)
        let quotient = (high << 34) | (low >> 30)
        guard high >> 30 == 0 else { return nil }
        return low & (gibibyte - 1) == 0 ? quotient : quotient.addingReportingOverflow(1).overflow ? nil : quotient + 1
    }

    /// `floor(bytes × pricePerGiB / GiB)` without overflow (nil when the result does not fit 64 bits).
    public static func costRoundedDown(bytes: UInt64, pricePerGiB: UInt64) -> UInt64? {
        let (high, low) = bytes.multipliedFullWidth(by: pricePerGiB)
        guard high >> 30 == 0 else { return nil }
        return (high << 34) | (low >> 30)
    }
}
