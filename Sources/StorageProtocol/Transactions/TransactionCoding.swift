import Foundation

/// JSON encoding and decoding shared by every transaction and payload type.
public enum TransactionCoding {
    /// Sorted keys, no escaped slashes: the same value always encodes to the same text.
    public static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every type encoded here has only finite numbers and strings: encoding cannot fail.
        return Array(try! encoder.encode(value))
    }

    public static func encodeText(_ value: some Encodable) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// Decodes JSON, turning any decoding failure into `TransactionError.malformed`.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String) throws(TransactionError)
        -> T
    {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as DecodingError {
            throw .malformed(reason: "\(what): \(describe(error))")
        } catch {
            throw .malformed(reason: "\(what): \(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "" : " at \(keys.joined(separator: "."))"
        }
        switch error {
        case .typeMismatch(_, let context): return "wrong type\(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "missing value\(path(context))"
        case .keyNotFound(let key, let context): return "missing field \(key.stringValue)\(path(context))"
        case .dataCorrupted(let context): return "invalid\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
