import Foundation
import TestProcesses
import Testing

/// Zenswarm's key-value API through a real `gateway serve` over a real testnet, driven with curl.
@Suite struct KeyValueTests {
    static let configuration = """
        sweep_interval: 1
        max_object_bytes: 1048576
        policies:
          - name: sessions
            match: "session/*"
            ttl: 2

        """

    @Test func storeRetrieveExpiryRefusalsAndCache() async throws {
        // A small max_object_bytes so an oversized body is refused before anything is committed.
        let network = try await GatewayNetwork(configuration: Self.configuration)
        do {
            try await exercise(network)
        } catch {
            Issue.record("\(error)\ngateway stderr: \(network.gatewayLog.suffix(3000))")
        }
        await network.stop()
    }

    func exercise(_ network: GatewayNetwork) async throws {
        let url = network.url
        let bearer = ["-H", "Authorization: Bearer \(network.fullKey["api_key"] ?? "")"]
        let json = ["-H", "Content-Type: application/json"]

        // No credential, or a key not granted the store: 403 and nothing stored.
        let anonymous = try await curl(
            json + ["-X", "POST", "--data", #"{"key":"users/alice","value":1}"#, url + "/store"])
        #expect(anonymous.status == 403, "\(anonymous.body)")
        let wrongKey = try await curl(
            json + [
                "-H", "Authorization: Bearer gwk_nottherightkey", "-X", "POST", "--data",
                #"{"key":"users/alice","value":1}"#, url + "/store",
            ])
        #expect(wrongKey.status == 403)
        let limited = try await curl(
            json + [
                "-H", "Authorization: Bearer \(network.limitedKey["api_key"] ?? "")", "-X", "POST",
                "--data", #"{"key":"users/alice","value":1}"#, url + "/store",
            ])
        #expect(limited.status == 403)
        #expect(limited.json["code"] as? String == "gateway.access_denied")
        let absent = try await curl(bearer + [url + "/retrieve/users/alice"])
        #expect(absent.status == 404, "\(absent.body)")
        // Reads need a credential too (open_reads: false).
        #expect(try await curl([url + "/retrieve/users/alice"]).status == 403)

        // Store and retrieve, both ways.
        let stored = try await curl(
            bearer + json + [
                "-X", "POST", "--data", #"{"key":"users/alice","value":{"age":30,"tags":["a","b"]}}"#, url + "/store",
            ])
        #expect(stored.status == 201, "\(stored.body)")
        let byPath = try await curl(bearer + [url + "/retrieve/users/alice"])
        #expect(byPath.status == 200)
        #expect(byPath.json["key"] as? String == "users/alice")
        #expect((byPath.json["value"] as? [String: Any])?["age"] as? Int == 30)
        let byBody = try await curl(
            bearer + json + ["-X", "POST", "--data", #"{"key":"users/alice"}"#, url + "/retrieve"])
        #expect(byBody.status == 200)
        #expect(((byBody.json["value"] as? [String: Any])?["tags"] as? [String]) == ["a", "b"])

        // Raw bytes with any content type, read back byte-exact; the file is in the allocation.
        let local = temporaryDirectory("gateway-kv")
        defer { try? FileManager.default.removeItem(atPath: local) }
        let bytes = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        try Data(bytes).write(to: URL(fileURLWithPath: local + "/in.bin"))
        let put = try await curl(
            bearer + [
                "-X", "PUT", "-H", "Content-Type: image/x-test", "--data-binary", "@" + local + "/in.bin",
                url + "/kv/images/one.bin",
            ])
        #expect(put.status == 201, "\(put.body)")
        let got = try await runProgram(
            "/usr/bin/curl",
            ["-sS", "-D", local + "/headers", "-o", local + "/out.bin"] + bearer + [url + "/kv/images/one.bin"])
        #expect(got.status == 0)
        #expect(FileManager.default.contents(atPath: local + "/out.bin") == Data(bytes))
        let headers = (try? String(contentsOfFile: local + "/headers", encoding: .utf8)) ?? ""
        #expect(headers.lowercased().contains("content-type: image/x-test"))
        let listed = try await network.blob(["ls", "/.kv/images/"])
        #expect(listed.stdout.contains("one.bin"), "\(listed.stdout)")

        // Bad keys: a clear error, nothing written.
        for bad in ["a/../b", "a//b", "..", "%FF%FE", String(repeating: "k", count: 1025)] {
            let answer = try await curl(bearer + ["-X", "PUT", "--data", "x", url + "/kv/" + bad])
            #expect(answer.status == 400, "\(bad): \(answer.body)")
            #expect(answer.json["code"] as? String == "gateway.invalid_key", "\(bad): \(answer.body)")
        }
        let badStore = try await curl(
            bearer + json + ["-X", "POST", "--data", #"{"key":"x/./y","value":1}"#, url + "/store"])
        #expect(badStore.json["code"] as? String == "gateway.invalid_key")

        // A body over max_object_bytes: refused before any commit.
        try Data(count: 1_100_000).write(to: URL(fileURLWithPath: local + "/big.bin"))
        let big = try await curl(bearer + ["-X", "PUT", "--data-binary", "@" + local + "/big.bin", url + "/kv/big"])
        #expect(big.status == 400, "\(big.body)")
        #expect(big.json["code"] as? String == "gateway.body_too_large")
        #expect(try await curl(bearer + [url + "/kv/big"]).status == 404)

        // A ttl: served until it expires, never after, then swept from the blobbers.
        let temporary = try await curl(
            bearer + json + [
                "-X", "POST", "--data", #"{"key":"session/tmp","value":"soon gone","ttl":2}"#, url + "/store",
            ])
        #expect(temporary.status == 201, "\(temporary.body)")
        #expect(temporary.json["expires_at"] != nil)
        let gone = try await eventually(timeout: 30) {
            try await curl(bearer + [url + "/retrieve/session/tmp"]).status == 404
        }
        #expect(gone)
        let swept = try await eventually(timeout: 30) {
            let listing = try await network.blob(["ls", "-R", "/"])
            return listing.status == 0 && !listing.stdout.contains("session/tmp")
        }
        #expect(swept, "the expired key is still on the blobbers")

        // A policy's default TTL: a session key written without ttl expires too.
        let policed = try await curl(
            bearer + json + ["-X", "POST", "--data", #"{"key":"session/auto","value":1}"#, url + "/store"])
        #expect(policed.json["policy"] as? String == "sessions", "\(policed.body)")
        #expect(policed.json["expires_at"] != nil)
        let permanent = try await curl(
            bearer + json + ["-X", "POST", "--data", #"{"key":"kept","value":1}"#, url + "/store"])
        #expect(permanent.json["expires_at"] == nil && permanent.json["policy"] == nil, "\(permanent.body)")
        #expect(
            try await eventually(timeout: 30) {
                try await curl(bearer + [url + "/retrieve/session/auto"]).status == 404
            })

        // GET /policies shows the rules in force; SIGHUP re-reads them.
        let rules = try await curl(bearer + [url + "/policies"])
        #expect(
            (rules.json["policies"] as? [[String: Any]])?.map { $0["name"] as? String } == ["sessions"], "\(rules.body)"
        )
        try
            (Self.configuration
            + "  - name: readings\n    match: \"sensors/*\"\n    type: application/json\n    ttl: 60\n")
            .write(toFile: network.home + "/gateway.yaml", atomically: true, encoding: .utf8)
        if let pid = network.gatewayPID { kill(pid, SIGHUP) }
        let reloaded = try await eventually(timeout: 20) {
            let answer = try await curl(bearer + [url + "/policies"])
            return (answer.json["policies"] as? [[String: Any]])?.count == 2
        }
        #expect(reloaded, "SIGHUP did not reload the policies")
        let reading = try await curl(
            bearer + json + ["-X", "POST", "--data", #"{"key":"sensors/t1","value":{"c":21}}"#, url + "/store"])
        #expect(reading.json["policy"] as? String == "readings", "\(reading.body)")
        let typed = try await curl(
            bearer + json + [
                "-X", "POST", "--data", #"{"key":"sensors/t2","value":"x","type":"text/plain"}"#, url + "/store",
            ])
        #expect(typed.json["policy"] == nil, "a rule for application/json matched text/plain: \(typed.body)")

        // A rule sending keys to another allocation of the wallet (in a real network, one in another
        // region): written there, read back through the gateway, absent from the gateway's own.
        let settings = try String(contentsOfFile: network.home + "/config.json", encoding: .utf8)
        let own = try #require(
            ((try JSONSerialization.jsonObject(with: Data(settings.utf8))) as? [String: Any])?["default_allocation"]
                as? String)
        let second = try await network.blob(["alloc", "new", "--data", "2", "--parity", "1", "--size", "64MiB"])
        let other = try #require(second.json["id"] as? String, "\(second.stdout) \(second.stderr)")
        try (Self.configuration + "  - name: elsewhere\n    match: \"eu/*\"\n    allocation: \(other)\n")
            .write(toFile: network.home + "/gateway.yaml", atomically: true, encoding: .utf8)
        if let pid = network.gatewayPID { kill(pid, SIGHUP) }
        let routed = try await eventually(timeout: 30) {
            let answer = try await curl(bearer + [url + "/policies"])
            return (answer.json["policies"] as? [[String: Any]])?.last?["allocation"] as? String == other
        }
        #expect(routed, "SIGHUP did not put the allocation rule in force")
        let elsewhere = try await curl(
            bearer + json + ["-X", "POST", "--data", #"{"key":"eu/one","value":"far"}"#, url + "/store"])
        #expect(elsewhere.json["policy"] as? String == "elsewhere", "\(elsewhere.body)")
        let farBack = try await curl(bearer + [url + "/retrieve/eu/one"])
        #expect(farBack.json["value"] as? String == "far", "\(farBack.body)")
        let inOther = try await network.blob(["ls", "--alloc", other, "/.kv/eu/"])
        #expect(inOther.stdout.contains("one"), "\(inOther.stdout)")
        let inOwn = try await network.blob(["ls", "--alloc", own, "-R", "/.kv/"])
        #expect(
            inOwn.status == 0 && !inOwn.stdout.contains("eu/one") && inOwn.stdout.contains("users/alice"),
            "\(inOwn.stdout)")

        // Delete.
        #expect(try await curl(bearer + ["-X", "DELETE", url + "/kv/images/one.bin"]).status == 200)
        #expect(try await curl(bearer + [url + "/kv/images/one.bin"]).status == 404)

        // A cached value is served with every blobber stopped.
        #expect(try await curl(bearer + [url + "/retrieve/users/alice"]).status == 200)
        for index in 1...network.blobbers { try await network.ctl("stop", index) }
        let cached = try await curl(bearer + [url + "/retrieve/users/alice"])
        #expect(cached.status == 200, "\(cached.body)")
        #expect((cached.json["value"] as? [String: Any])?["age"] as? Int == 30)
    }
}
