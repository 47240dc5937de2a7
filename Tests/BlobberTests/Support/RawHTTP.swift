import Foundation
import TestProcesses

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP exchange over a plain socket, for requests no HTTP client would send: any bytes in the
/// head, a `Content-Length` that lies, a body cut short. The request should carry `connection: close`;
/// the answer is read until the server closes (or `timeout` passes).
enum RawHTTP {
    struct Answer {
        /// nil when the server closed without answering (a refused head, a cut body).
        var status: Int?
        var body: [UInt8]
    }

    /// Sends `bytes` to 127.0.0.1:`port`; `halfClose` shuts the sending side afterwards, as a client
    /// that stops mid-body does.
    static func exchange(port: Int, _ bytes: [UInt8], halfClose: Bool = false, timeout: Int = 10) throws -> Answer {
        let fd = try connect(port: port)
        defer { close(fd) }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { break }  // the server may close early on a refused head: read what it said
            sent += n
        }
        if halfClose { shutdown(fd, Int32(SHUT_WR)) }
        var received = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<10_000 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            received += chunk[..<n]
            if let answer = complete(received) { return answer }
        }
        return complete(received) ?? Answer(status: nil, body: [])
    }

    /// A TCP connection to 127.0.0.1:`port`; the caller closes it.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw TestFailure("connect to \(port) failed: \(errno)")
        }
        return fd
    }

    /// The answer once its head and `content-length` bytes of body have arrived.
    private static func complete(_ bytes: [UInt8]) -> Answer? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
        let lines = head.split(separator: "\r\n")
        guard let first = lines.first, first.hasPrefix("http/1.1 "), let status = Int(first.dropFirst(9).prefix(3))
        else { return Answer(status: nil, body: []) }
        let length =
            lines.first { $0.hasPrefix("content-length:") }.flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) }
            ?? 0
        let body = Array(bytes[(end + 4)...])
        guard body.count >= length else { return nil }
        return Answer(status: status, body: Array(body.prefix(length)))
    }
}
