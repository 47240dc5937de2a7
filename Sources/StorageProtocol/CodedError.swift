/// An error with a stable machine-readable code (`"marker.bad_signature"`), documented in
/// docs/PROTOCOL.md. Servers map every `CodedError` to a JSON body `{"code", "message"}` in one place.
public protocol CodedError: Error, CustomStringConvertible {
    /// Stable across releases; clients switch on it.
    var code: String { get }
}

/// The JSON body of every error answer: `{"code": "marker.bad_signature", "message": "..."}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}
