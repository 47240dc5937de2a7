/// The JSON body of every ledger error answer: `{"code", "message"}`, plus `marker_index` for `marker.*` codes.
public struct LedgerErrorBody: Codable, Sendable, Equatable {
    public var code: String
    public var message: String
    public var markerIndex: Int?

    public init(code: String, message: String, markerIndex: Int? = nil) {
        self.code = code
        self.message = message
        self.markerIndex = markerIndex
    }

    enum CodingKeys: String, CodingKey {
        case code, message
        case markerIndex = "marker_index"
    }
}
