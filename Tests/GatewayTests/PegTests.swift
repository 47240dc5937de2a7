import Client
import Foundation
import Gateway
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// Pegging (docs/GATEWAY.md, "Pegging") through a real `gateway serve` over a real testnet: values
/// pegged by request (the `/store` body, `?peg=true`, `X-Peg`) and by policy; the peg read back from the
/// ledger signed by the gateway's wallet; `/verify` re-reading the value from the blobbers; a value
/// changed behind the gateway's back caught; `ledger verify` replaying the pegs; and a peg the ledger
/// cannot record storing nothing.
@Suite struct PegTests {
    static let configuration = """
        sweep_interval: 1
        policies:
          - name: contracts
            match: "contracts/*"
            peg: true

        """

    @Test func pegRetrieveVerifyTamperAndReplay() async throws {
        let network = try await GatewayNetwork(configuration: Self.configuration)
        do {
            try await exercise(network)
        } catch {
            Issue.record("\(error)\ngateway log: \(network.gatewayLog.suffix(3000))")
        }
        await network.stop()
    }

    /// The uri names the value by allocation and path, percent-encoded as an RFC 3986 path; one that
    /// would exceed a peg's 2,048 bytes is refused as an invalid key.
    @Test func uriNamesTheAllocationAndThePath() throws {
        let allocation = AllocationID(SHA256.hash(Array("allocation".utf8)))
        let plain = try Pegger.uri(allocation: allocation, path: try RemotePath("/.kv/readings/today_1-a~b"))
        #expect(plain == "blobnet://\(allocation.hex)/.kv/readings/today_1-a~b")
        let spaced = try Pegger.uri(allocation: allocation, path: try RemotePath("/.kv/résumé 100%?#"))
        #expect(spaced == "blobnet://\(allocation.hex)/.kv/r%C3%A9sum%C3%A9%20100%25%3F%23")
        let fits = try RemotePath("/.kv/" + String(repeating: "k", count: 1000))
        #expect(try Pegger.uri(allocation: allocation, path: fits).utf8.count == 10 + 64 + 1005)
        let wide = try RemotePath("/.kv/" + String(repeating: "é", count: 400))
        #expect(throws: GatewayError.self) { try Pegger.uri(allocation: allocation, path: wide) }
    }

    func exercise(_ network: GatewayNetwork) async throws {
        let url = network.url
        let bearer = ["-H", "Authorization: Bearer \(network.fullKey["api_key"] ?? "")"]
        let json = ["-H", "Content-Type: application/json"]
        let home = ClientHome(explicit: network.home, environment: [:])
        let own = try #require(try home.loadSettings().defaultAllocation)
        let ledgerURL = try #require(try home.loadSettings().ledgerURL)
        let wallet = try home.loadWallet()
        let ledger = LedgerClient(baseURL: ledgerURL)

        // Pegged by the request, by the policy, and for raw bytes by query and by header.
        let byBody = try await curl(
            bearer + json + ["-X", "POST", "--data", #"{"key":"docs/a","value":{"n":1},"peg":true}"#, url + "/store"])
        #expect(byBody.status == 201, "\(byBody.body)")
        let byPolicy = try await curl(
            bearer + json + ["-X", "POST", "--data", #"{"key":"contracts/c1","value":"signed"}"#, url + "/store"])
        #expect(byPolicy.status == 201 && byPolicy.json["policy"] as? String == "contracts", "\(byPolicy.body)")
        let local = temporaryDirectory("gateway-peg")
        defer { try? FileManager.default.removeItem(atPath: local) }
        let raw = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }
        try Data(raw).write(to: URL(fileURLWithPath: local + "/raw.bin"))
        let byQuery = try await curl(
            bearer + ["-X", "PUT", "--data-binary", "@" + local + "/raw.bin", url + "/kv/raw/b.bin?peg=true"])
        #expect(byQuery.status == 201, "\(byQuery.body)")
        #expect(byQuery.json["hash"] as? String == SHA256.hash(raw).hex)
        let byHeader = try await curl(
            bearer + [
                "-X", "PUT", "-H", "X-Peg: true", "--data-binary", "@" + local + "/raw.bin", url + "/kv/raw/h.bin",
            ])
        #expect(byHeader.status == 201, "\(byHeader.body)")
        let plain = try await curl(
            bearer + json + ["-X", "POST", "--data", #"{"key":"plain","value":1}"#, url + "/store"])
        #expect(plain.status == 201 && plain.json["txid"] == nil && plain.json["uri"] == nil, "\(plain.body)")
        // A peg flag that is not a boolean: refused, nothing stored.
        let badFlag = try await curl(
            bearer + json + ["-X", "POST", "--data", #"{"key":"docs/bad","value":1,"peg":"yes"}"#, url + "/store"])
        #expect(badFlag.status == 400 && badFlag.json["code"] as? String == "gateway.invalid_request")
        let badQuery = try await curl(bearer + ["-X", "PUT", "--data", "x", url + "/kv/docs/bad?peg=maybe"])
        #expect(badQuery.status == 400 && badQuery.json["code"] as? String == "gateway.invalid_request")
        #expect(try await curl(bearer + [url + "/retrieve/docs/bad"]).status == 404)

        let pegged: [(key: String, answer: CurlAnswer)] = [
            ("docs/a", byBody), ("contracts/c1", byPolicy), ("raw/b.bin", byQuery), ("raw/h.bin", byHeader),
        ]
        var txids = Set<String>()
        for (key, stored) in pegged {
            let txid = try #require(stored.json["txid"] as? String, "\(key): \(stored.body)")
            let hash = try #require(stored.json["hash"] as? String)
            let uri = "blobnet://\(own.hex)/.kv/\(key)"
            #expect(stored.json["uri"] as? String == uri, "\(key): \(stored.body)")
            txids.insert(txid)

            // Retrieve shows the peg beside the value.
            let back = try await curl(
                bearer + json + ["-X", "POST", "--data", #"{"key":"\#(key)"}"#, url + "/retrieve"])
            #expect(back.status == 200, "\(key): \(back.body)")
            #expect(back.json["txid"] as? String == txid && back.json["hash"] as? String == hash, "\(back.body)")
            #expect(back.json["uri"] as? String == uri && back.json["value"] != nil, "\(back.body)")

            // The ledger holds the peg, signed by the gateway's wallet, with the value's hash and uri.
            let record = try await ledger.peg(try #require(Hash(hex: txid)))
            #expect(record.hash.hex == hash && record.uri == uri, "\(key)")
            #expect(record.publicKey == wallet.publicKey, "\(key)")

            // Verify re-reads the value and checks it against the ledger.
            let verified = try await curl(bearer + [url + "/verify/" + key])
            #expect(verified.status == 200, "\(key): \(verified.body)")
            #expect(verified.json["verified"] as? Bool == true, "\(verified.body)")
            #expect(verified.json["txid"] as? String == txid && verified.json["hash"] as? String == hash)
            #expect(verified.json["uri"] as? String == uri && verified.json["block"] as? Int == Int(record.block))
        }
        #expect(txids.count == pegged.count)
        let plainBack = try await curl(bearer + [url + "/retrieve/plain"])
        #expect(plainBack.status == 200 && plainBack.json["txid"] == nil && plainBack.json["hash"] != nil)
        let notPegged = try await curl(bearer + [url + "/verify/plain"])
        #expect(
            notPegged.status == 409 && notPegged.json["code"] as? String == "gateway.not_pegged", "\(notPegged.body)")
        #expect(try await curl(bearer + [url + "/verify/absent"]).status == 404)
        #expect(try await curl([url + "/verify/docs/a"]).status == 403)

        // The value changed behind the gateway's back (blob upload over it, no new peg): verify says so,
        // though the gateway's cache still holds the old value.
        try Data(Array("tampered".utf8)).write(to: URL(fileURLWithPath: local + "/tampered.bin"))
        let overwritten = try await network.blob(["upload", "--force", local + "/tampered.bin", "/.kv/raw/b.bin"])
        #expect(overwritten.status == 0, "\(overwritten.stdout) \(overwritten.stderr)")
        let tampered = try await curl(bearer + [url + "/verify/raw/b.bin"])
        #expect(tampered.status == 409, "\(tampered.body)")
        #expect(tampered.json["code"] as? String == "gateway.peg_mismatch", "\(tampered.body)")
        #expect(try await curl(bearer + [url + "/verify/raw/h.bin"]).status == 200)

        // The ledger, stopped cleanly, replays its log with the pegs in it.
        let ledgerPID = try #require(
            Int32(
                (try String(contentsOfFile: network.data + "/ledger/ledger.pid", encoding: .utf8))
                    .trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(ledgerPID, SIGTERM)
        #expect(try await eventually(timeout: 30) { kill(ledgerPID, 0) != 0 }, "the ledger did not stop")
        let replay = try await runProgram(builtBinary("ledger"), ["verify", "--data", network.data + "/ledger"])
        #expect(replay.status == 0, "\(replay.stdout) \(replay.stderr)")
        #expect(replay.stdout.contains("supply conserved"), "\(replay.stdout)")

        // No ledger: a pegged store is refused and stores nothing; verify cannot check.
        let down = try await curl(
            bearer + json + ["-X", "POST", "--data", #"{"key":"docs/down","value":1,"peg":true}"#, url + "/store"])
        #expect(down.status == 502 && down.json["code"] as? String == "gateway.peg_failed", "\(down.body)")
        #expect(try await curl(bearer + [url + "/retrieve/docs/down"]).status == 404)
    }
}
