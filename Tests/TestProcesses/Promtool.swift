import Foundation
public import Testing

/// `promtool check metrics` (Debian's prometheus package), for every server's and daemon's `/metrics`.
public enum Promtool {
    /// Expects `promtool check metrics` on `text` to exit 0 and say nothing. Without promtool the check is
    /// skipped with a message, unless BLOB_TEST_REQUIRE_TOOLS=1 (scripts/test.sh installs it) makes that a
    /// failure.
    public static func expectAccepts(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") else {
            let required = ProcessInfo.processInfo.environment["BLOB_TEST_REQUIRE_TOOLS"] == "1"
            #expect(!required, "promtool is not installed (apt-get install prometheus)", sourceLocation: sourceLocation)
            print("promtool is not installed; the metrics lint was skipped")
            return
        }
        let folder = temporaryDirectory("metrics")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/metrics.txt"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try await runProgram("/bin/sh", ["-c", "/usr/bin/promtool check metrics < \"$0\"", file], timeout: 60)
        #expect(
            outcome.status == 0 && outcome.stdout.isEmpty && outcome.stderr.isEmpty,
            "promtool check metrics: \(outcome.stdout) \(outcome.stderr)", sourceLocation: sourceLocation)
    }
}
