import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import StorageProtocol
import TestProcesses
import Testing

/// The OpenAPI document stays in step with the code: the copy in docs/ is what `/openapi.json` serves,
/// every route is described and every description is a route; and schemathesis, run against a real
/// `ledger serve` with a populated state, finds no 5xx and no answer outside its schema.
@Suite struct OpenAPIDocumentTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func documentMatchesTheRoutesAndTheCopyInDocs() async throws {
        let network = try TestNetwork()
        let router = buildLedgerRouter(configuration: LedgerConfiguration(dataDirectory: nil), ledger: network.ledger)
        let app = Application(router: router)
        let served = try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                return Data(response.body.readableBytesView)
            }
        }
        let document = try #require(try JSONSerialization.jsonObject(with: served) as? NSDictionary)
        let copy = try Data(contentsOf: URL(fileURLWithPath: Self.repository + "/docs/openapi/ledger.json"))
        #expect(
            document == (try JSONSerialization.jsonObject(with: copy) as? NSDictionary),
            "docs/openapi/ledger.json differs from what /openapi.json serves: run python3 scripts/openapi/ledger.py")
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
    }

    @Test func schemathesisFindsNoServerErrorAndNoAnswerOutsideTheSchema() async throws {
        guard let schemathesis = Self.schemathesis() else {
            let required = ProcessInfo.processInfo.environment["BLOB_TEST_REQUIRE_TOOLS"] == "1"
            #expect(!required, "schemathesis is not installed (scripts/install-test-tools.sh)")
            print("OpenAPIDocumentTests: schemathesis is not installed; skipped")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServerProcess(directory: directory + "/ledger")
        defer { server.kill9() }
        let base = "http://127.0.0.1:\(try await server.port())"

        // A state with something in every table: funded accounts, a blobber, an allocation.
        let http = LedgerHTTP(client: .shared, base: base)
        let owner = TestNetwork.key("openapi owner")
        let blobbers = (0..<2).map { TestNetwork.key("openapi blobber \($0)") }
        var nonce: UInt64 = 0
        func send(_ kind: TransactionKind, _ payload: some Encodable, _ key: SigningKey) async throws {
            nonce += 1
            let tx = LedgerTransaction.make(
                kind, payload: payload, key: key, nonce: nonce, timestamp: Int64(Date().timeIntervalSince1970 * 1000))
            let reply = try await http.submit(tx)
            #expect(reply.status == 200, "\(kind.rawValue): \(String(decoding: reply.body, as: UTF8.self))")
        }
        for key in blobbers + [owner] { try await send(.faucet, FaucetPayload(amount: 10_000_000_000), key) }
        for (index, key) in blobbers.enumerated() {
            try await send(
                .registerBlobber,
                RegisterBlobberPayload(
                    url: "http://127.0.0.1:\(9000 + index)", capacity: 1 << 30, readPrice: 1, writePrice: 1 << 20,
                    region: "eu", stake: 1_000_000), key)
        }
        try await send(
            .createAllocation,
            CreateAllocationPayload(
                dataShards: 1, parityShards: 1, size: 1 << 20, expiry: Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000,
                blobbers: blobbers.map(\.publicKey.blobberID), writePool: 1_000_000_000), owner)

        let outcome = try await runProgram(
            schemathesis,
            [
                "run", base + "/openapi.json", "--max-examples", "25", "--seed", "7", "--no-color",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--request-timeout", "10",
            ], timeout: 600)
        #expect(outcome.status == 0, "schemathesis:\n\(outcome.stdout.suffix(6000))\n\(outcome.stderr.suffix(2000))")
        #expect(server.isRunning, "the ledger survived every request")
    }

    /// `st` from scripts/install-test-tools.sh's virtual environment, or on PATH.
    static func schemathesis() -> String? {
        let candidates =
            [repository + "/.build-tools/venv/bin/st"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/st" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
