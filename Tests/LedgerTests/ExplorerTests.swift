import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import Merkle
import NIOCore
import StorageProtocol
import TestProcesses
import Testing

/// The explorer pages over a real ledger with blobbers, an allocation, a marker chain and challenges:
/// every page shows the data, hostile registration text is escaped, unknown ids are 404 pages, and
/// headless Chromium renders the first page (a screenshot and the page's text).
@Suite struct ExplorerTests {
    @Test func pagesShowTheLedger() async throws {
        let setup = try await ChainTests.Setup()
        let network = setup.network
        let blobber = setup.blobbers[0]
        let markers = network.chain(
            owner: setup.owner, allocation: setup.allocation, blobber: blobber, sizes: [4096, 8192])
        try await network.submitChain(markers, allocation: setup.allocation, by: blobber)
        // A registration anyone can send, with markup in its text: shown as text, never run.
        let hostile = TestNetwork.key("hostile")
        try await network.fund(hostile, 1_000_000)
        try await network.submit(
            .registerBlobber,
            RegisterBlobberPayload(
                url: "http://127.0.0.1:9999/\"><script>alert(1)</script>", capacity: 1 << 30, readPrice: 1,
                writePrice: TestNetwork.bytePrice, region: "<img src=x onerror=alert(2)>", stake: 1_000_000),
            by: hostile)
        let challenge = try #require(try await network.ledger.issueChallenge())
        let sealed = try #require(try await network.ledger.sealBlock())
        let app = buildLedgerApplication(
            configuration: LedgerConfiguration(
                dataDirectory: nil, host: "127.0.0.1", port: 0, blockInterval: .seconds(3600),
                emptyBlockInterval: .seconds(3600), challengeInterval: 0),
            ledger: network.ledger, logger: Logger(label: "test"))
        let allocation = setup.allocation.hex
        let head = markers[1].head

        try await app.test(.live) { client in
            func page(_ uri: String, status: HTTPResponse.Status = .ok) async throws -> String {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == status, "\(uri)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    return String(buffer: response.body)
                }
            }
            let overview = try await page("/explorer")
            #expect(overview.contains(sealed.hash.hex))
            #expect(overview.contains("create_allocation"))
            #expect(overview.contains("submit_chain"))
            #expect(overview.contains("(conserved)"))
            #expect(overview.contains(network.ledger.publicKey.hex))

            let block = try await page("/explorer/blocks/\(sealed.height)")
            #expect(block.contains(sealed.txRoot.hex) && block.contains(sealed.stateRoot.hex))
            #expect(block.contains("/explorer/transactions/\(challenge.hash.hex)"))

            let transaction = try await page("/explorer/transactions/\(challenge.hash.hex)")
            #expect(transaction.contains("issue_challenge"))
            #expect(transaction.contains("/explorer/allocations/\(allocation)"))

            let allocationPage = try await page("/explorer/allocations/\(allocation)")
            #expect(allocationPage.contains(blobber.publicKey.blobberID.hex))
            #expect(allocationPage.contains(head.allocationRoot.hex))
            #expect(allocationPage.contains("<td>\(head.sequence)</td>"))
            #expect(allocationPage.contains("<td>open</td>"))

            #expect(try await page("/explorer/allocations").contains(allocation))
            let challenges = try await page("/explorer/challenges")
            #expect(challenges.contains("/explorer/allocations/\(allocation)"))
            #expect(challenges.contains("<td>open</td>"))

            let blobbers = try await page("/explorer/blobbers")
            #expect(blobbers.contains(hostile.publicKey.blobberID.hex))
            #expect(!blobbers.contains("<script>") && !blobbers.contains("<img"))
            #expect(blobbers.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(blobbers.contains("&lt;img src=x onerror=alert(2)&gt;"))

            let missing = try await page("/explorer/blocks/\(sealed.height + 5)", status: .notFound)
            #expect(missing.contains("ledger.unknown_block"))
            _ = try await page("/explorer/allocations/\(String(repeating: "ab", count: 32))", status: .notFound)
            _ = try await page("/explorer/transactions/zz", status: .badRequest)

            let port = try #require(client.port)
            try await Self.renderInChromium(
                "http://127.0.0.1:\(port)/explorer", expecting: [sealed.hash.hex, "conserved", "submit_chain"])
        }
    }

    /// Loads `url` in headless Chromium: a PNG screenshot and the DOM it built. Without a `chromium`
    /// binary the check is skipped with a message, unless BLOB_TEST_REQUIRE_TOOLS=1 (scripts/test.sh,
    /// which installs it) makes that a failure.
    static func renderInChromium(_ url: String, expecting texts: [String]) async throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) else {
            let required = ProcessInfo.processInfo.environment["BLOB_TEST_REQUIRE_TOOLS"] == "1"
            #expect(!required, "chromium is not installed (apt-get install chromium)")
            print("ExplorerTests: chromium is not installed; the headless render was skipped")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("explorer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(folder.path)/profile", "--window-size=1280,1600",
        ]
        let shot = folder.path + "/explorer.png"
        let screenshot = try await runProgram(chromium, common + ["--screenshot=\(shot)", url], timeout: 120)
        #expect(screenshot.status == 0, "chromium --screenshot: \(screenshot.stderr.suffix(2000))")
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.count > 10_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG screenshot")
        let dom = try await runProgram(chromium, common + ["--dump-dom", url], timeout: 120)
        #expect(dom.status == 0, "chromium --dump-dom: \(dom.stderr.suffix(2000))")
        for text in texts { #expect(dom.stdout.contains(text), "the rendered page shows \(text)") }
    }
}
