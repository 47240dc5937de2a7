import Foundation

/// A network error as a sentence: what was tried, and why it failed in words a person can act on,
/// instead of the transport's type names (`HTTPClientError.connectTimeout`, `connectionRefused`).
enum NetworkFailure {
    /// "GET /v1/… at http://127.0.0.1:4102 failed: nothing accepts connections there (connection refused)".
    static func sentence(_ error: any Error, tried: String) -> String {
        "\(tried) failed: \(explain(error))"
    }

    /// Why `error` happened, in words.
    static func explain(_ error: any Error) -> String {
        explain(text: String(describing: error))
    }

    /// Why an error described as `raw` happened, in words (`raw` itself when it is not recognised).
    static func explain(text raw: String) -> String {
        let text = raw.lowercased()
        if text.contains("refused") { return "nothing accepts connections there (connection refused)" }
        if text.contains("connecttimeout") || text.contains("connect timeout") {
            return "the connection could not be opened in time (is the address right and the host up?)"
        }
        if text.contains("deadlineexceeded") || text.contains("readtimeout") || text.contains("timed out")
            || text.contains("timeout")
        {
            return "no answer in time"
        }
        if text.contains("remoteconnectionclosed") || text.contains("connection reset") || text.contains("eof") {
            return "the connection was closed before the answer was complete"
        }
        if text.contains("unreachable") || text.contains("no route") { return "the network cannot reach that host" }
        if text.contains("resolve") || text.contains("lookup") || text.contains("getaddrinfo")
            || text.contains("unknown host")
        {
            return "the host name does not resolve"
        }
        if text.contains("unsupportedscheme") || text.contains("invalidurl") || text.contains("emptyhost") {
            return "the address is not a valid http:// URL"
        }
        if text.contains("cancel") { return "the request was cancelled" }
        return raw
    }
}
