import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Ports for servers that a test restarts on the port they had (their URL is registered with the
/// ledger). A port the kernel picks (`--port 0`) lies in its ephemeral range, where every outgoing
/// connection of every other test also takes its local port, so such a port can be taken in the
/// moment between a server's stop and its restart. These ports lie below that range, are checked
/// free, and are handed out once per test process.
public enum TestPorts {
    private static let next = Mutex<Int?>(nil)

    /// The first of `count` consecutive ports that nothing listens on now.
    public static func reserve(_ count: Int = 1) -> Int {
        let range = usableRange()
        return next.withLock { next in
            // Each process starts at its own place, so two test processes rarely meet.
            var candidate = next ?? Int.random(in: range.lowerBound...(range.lowerBound + range.count / 2))
            for _ in 0..<1000 {
                if candidate + count - 1 > range.upperBound { candidate = range.lowerBound }
                if (candidate..<(candidate + count)).allSatisfy(isFree) {
                    next = candidate + count
                    return candidate
                }
                candidate += count
            }
            fatalError("no \(count) free ports in \(range)")
        }
    }

    /// Below the kernel's ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`), above the
    /// well-known and commonly configured ports.
    static func usableRange() -> ClosedRange<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let numbers = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        let ephemeralLow = numbers.count == 2 ? numbers[0] : 32_768
        return ephemeralLow > 12_000 ? 10_000...(ephemeralLow - 1) : 61_000...65_000
    }

    /// Whether nothing is bound to 127.0.0.1:`port` (a bind succeeds).
    public static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
