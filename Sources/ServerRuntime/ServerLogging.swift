import Foundation
public import Logging
import Synchronization

/// How a server writes its log: `text` (one human line) or `json` (one JSON object a line:
/// `{"time","level","label","message", …metadata}`), at a level that a reload can change while it runs.
public final class ServerLogging: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    public let format: Format
    private let currentLevel: Mutex<Logger.Level>

    public var level: Logger.Level {
        get { currentLevel.withLock { $0 } }
        set { currentLevel.withLock { $0 = newValue } }
    }

    public init(format: Format, level: Logger.Level) {
        self.format = format
        currentLevel = Mutex(level)
    }

    /// Parses `--log-level` (trace, debug, info, notice, warning, error, critical).
    public static func level(_ text: String) -> Logger.Level? { Logger.Level(rawValue: text.lowercased()) }

    /// Makes this the process's logging backend (once per process).
    public func bootstrap() {
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label, logging: self) }
    }
}

/// Writes one line per message to standard error in the format and at the level of its `ServerLogging`.
public struct ServerLogHandler: LogHandler {
    public let label: String
    let logging: ServerLogging
    public var metadata: Logger.Metadata = [:]
    /// Set on one logger, it overrides the shared level for that logger only.
    private var override: Logger.Level?

    public init(label: String, logging: ServerLogging) {
        self.label = label
        self.logging = logging
    }

    public var logLevel: Logger.Level {
        get { override ?? logging.level }
        set { override = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line: String
        switch logging.format {
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = "\(Self.timestamp()) \(event.level) \(label): \(event.message)\(fields.isEmpty ? "" : " " + fields)\n"
        case .json:
            var object: [String: String] = merged.mapValues { "\($0)" }
            object["time"] = Self.timestamp()
            object["level"] = event.level.rawValue
            object["label"] = label
            object["message"] = "\(event.message)"
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = (try? encoder.encode(object)) ?? Data("{\"message\":\"unencodable log line\"}".utf8)
            line = String(decoding: data, as: UTF8.self) + "\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
