import Foundation
import StorageProtocol

/// Decodes JSON the way the servers do (Foundation's `JSONDecoder`); nil on any error.
func decodeJSON<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) -> T? {
    try? JSONDecoder().decode(type, from: Data(bytes))
}

/// The wire encoding (`TransactionCoding.encode`: sorted keys).
func encodeJSON(_ value: some Encodable) -> [UInt8] {
    TransactionCoding.encode(value)
}

/// decode → encode → decode gives the same value, and encoding it again gives the same bytes.
func requireRoundTrip<T: Codable & Equatable>(_ value: T) {
    let encoded = encodeJSON(value)
    guard let again = decodeJSON(T.self, encoded) else {
        fatalError("property failed: \(T.self) does not decode its own encoding \(String(decoding: encoded, as: UTF8.self))")
    }
    require(again == value, "\(T.self) changed in a round trip: \(String(decoding: encoded, as: UTF8.self))")
    require(encodeJSON(again) == encoded, "\(T.self) encodes differently after a round trip")
}
