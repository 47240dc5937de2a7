import Foundation
import Testing

/// docs/PROTOCOL.md section 9: codes are stable and documented. Every code a `CodedError` in `Sources`
/// answers (`case …: "area.reason"`) must appear in the document, so a new code cannot ship unlisted.
@Suite struct ErrorCodeDocumentationTests {
    @Test func everyCodeInSourcesIsInTheProtocolDocument() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let document = try String(contentsOf: root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"case [^:\n]+: "([a-z_]+(?:\.[a-z0-9_]+)+)""#)
        var codes = Set<String>()
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { codes.insert(String(text[range])) }
            }
        }
        #expect(codes.count > 100, "the pattern found only \(codes.count) codes")
        let missing = codes.filter { !document.contains("`\($0)`") }.sorted()
        #expect(missing.isEmpty, "codes not in docs/PROTOCOL.md: \(missing)")
    }
}
