@testable import Blobber
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOHTTP1
import StorageProtocol
import TestProcesses
import Testing

/// The blobber's OpenAPI document stays in step with the code: the copy in docs/ is what `/openapi.json`
/// serves, every route is described and every description is a route, every error answer refers to the
/// `{code, message}` schema; and schemathesis, run against a real `blobber serve` with an allocation,
/// finds no 5xx and no answer outside its schema.
@Suite("Blobber OpenAPI document", .timeLimit(.minutes(12)))
struct BlobberOpenAPITests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func documentMatchesTheRoutesAndTheCopyInDocs() async throws {
        let directory = temporaryDirectory("blobber-openapi")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = BlobberConfiguration(dataDirectory: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try KeyFile.write(SigningKey.generate(), to: configuration.keyPath)
        let node = try BlobberNode(
            configuration: configuration, logger: Logger(label: "openapi-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let router = buildBlobberRouter(node: node)
        let served = try await Application(router: router).test(.router) { client in
            try await client.execute(uri: BlobberRoute.openAPI, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                return Data(response.body.readableBytesView)
            }
        }
        let document = try #require(try JSONSerialization.jsonObject(with: served) as? NSDictionary)
        let copy = try Data(contentsOf: URL(fileURLWithPath: Self.repository + "/docs/openapi/blobber.json"))
        #expect(
            document == (try JSONSerialization.jsonObject(with: copy) as? NSDictionary),
            "docs/openapi/blobber.json differs from what /openapi.json serves: run python3 scripts/openapi/blobber.py")
        #expect(document["openapi"] as? String == "3.1.0")

        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        let routed = Set(
            router.routes.map { route in
                let path = route.path.description.split(separator: "/", omittingEmptySubsequences: true).map {
                    $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
                }
                return "\(route.method.rawValue) /" + path.joined(separator: "/")
            })
        #expect(routed.subtracting(described).isEmpty, "routes without a description: \(routed.subtracting(described))")
        #expect(described.subtracting(routed).isEmpty, "described but not routed: \(described.subtracting(routed))")

        // Every error answer is the Error schema; every signed route takes the five signature headers.
        let signatureHeaders: Set = [
            RequestAuth.Header.key, RequestAuth.Header.time, RequestAuth.Header.nonce, RequestAuth.Header.bodyDigest,
            RequestAuth.Header.signature,
        ]
        for (path, operations) in paths {
            for case (let method, let operation as [String: Any]) in operations {
                let responses = try #require(operation["responses"] as? [String: [String: Any]])
                for (status, response) in responses where status != "200" {
                    let schema = (response["content"] as? [String: [String: Any]])?["application/json"]?["schema"]
                    #expect(
                        (schema as? [String: String])?["$ref"] == "#/components/schemas/Error",
                        "\(method) \(path) \(status) is not an Error answer")
                }
                guard path.hasPrefix(BlobberRoute.allocations) else { continue }
                let parameters = operation["parameters"] as? [[String: Any]] ?? []
                let headers = Set(parameters.filter { $0["in"] as? String == "header" }.compactMap { $0["name"] as? String })
                #expect(headers.isSuperset(of: signatureHeaders), "\(method) \(path) lacks signature headers")
                #expect(responses["401"] != nil, "\(method) \(path) documents no 401")
            }
        }
    }

    @Test func schemathesisFindsNoServerErrorAndNoAnswerOutsideTheSchema() async throws {
        guard let schemathesis = Self.schemathesis() else {
            let required = ProcessInfo.processInfo.environment["BLOB_TEST_REQUIRE_TOOLS"] == "1"
            #expect(!required, "schemathesis is not installed (scripts/install-test-tools.sh)")
            print("BlobberOpenAPITests: schemathesis is not installed; skipped")
            return
        }
        // A blobber with an allocation holding a file, so the routes have something behind them.
        let (ledger, blobber, start) = try await startAllocation()
        var owner = start
        defer { Task { await stopAll(ledger, blobber) } }
        try await owner.put("/a", blocks: 1, seed: 1)

        let outcome = try await runProgram(
            schemathesis,
            [
                "run", blobber.url + BlobberRoute.openAPI, "--max-examples", "25", "--seed", "7", "--no-color",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--request-timeout", "10",
            ], timeout: 600)
        #expect(outcome.status == 0, "schemathesis:\n\(outcome.stdout.suffix(6000))\n\(outcome.stderr.suffix(2000))")
        #expect(blobber.process.isRunning, "the blobber survived every request")
        let metrics = String(decoding: try await call(.GET, blobber.url + BlobberRoute.metrics).body, as: UTF8.self)
        #expect(!metrics.contains("code=\"internal\""), "an internal error was answered")
    }

    /// `st` from scripts/install-test-tools.sh's virtual environment, or on PATH.
    static func schemathesis() -> String? {
        let candidates =
            [repository + "/.build-tools/venv/bin/st"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/st" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
