extension Int64 {
    /// Whether `self` lies at most `window` from `other`, for any two values: the difference is
    /// computed with overflow reported, so a timestamp of −2^63 off the wire is simply far away
    /// instead of trapping (`abs(a - b)` traps on both the subtraction and `abs(Int64.min)`).
    public func isWithin(_ window: Int64, of other: Int64) -> Bool {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return !overflow && window >= 0 && difference.magnitude <= window.magnitude
    }
}
