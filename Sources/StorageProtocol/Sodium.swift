import CSodium

/// libsodium must be initialised once before use; every entry point in this module touches
/// `Sodium.ready` first. `sodium_init` is thread-safe and idempotent.
enum Sodium {
    static let ready: Bool = {
        let status = sodium_init()
        precondition(status >= 0, "libsodium failed to initialise")
        return true
    }()

    /// Cryptographically secure random bytes.
    static func randomBytes(_ count: Int) -> [UInt8] {
        _ = ready
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return out
    }

    /// Overwrites `bytes` with zeros in a way the optimiser may not remove.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress!, $0.count) }
    }
}
