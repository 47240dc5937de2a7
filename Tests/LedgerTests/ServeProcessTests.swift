import AsyncHTTPClient
import Foundation
import Ledger
import Merkle
import StorageProtocol
import TestProcesses
import Testing

@Suite struct ServeProcessTests {
    /// Streams faucet transactions to a real `ledger serve`, kills it with SIGKILL mid-stream, restarts
    /// it on the same folder: every acknowledged transaction is there exactly once, resubmissions are
    /// duplicates, the balance is the sum of what was applied once, and `ledger verify` passes.
    @Test(.timeLimit(.minutes(2)))
    func killDashNineLosesNothingAcknowledgedAndAppliesNothingTwice() async throws {
        let directory = temporaryDirectory("ledger-kill9")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await client.shutdown() } }
        let key = TestNetwork.key("kill9 wallet")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let transactions = (0..<1000).map { index in
            LedgerTransaction.make(
                .faucet, payload: FaucetPayload(amount: UInt64(index + 1)), key: key, nonce: UInt64(index),
                timestamp: now)
        }

        let first = try ServerProcess(directory: directory, extra: ["--block-interval", "0.05"])
        defer { first.kill9() }
        let http = LedgerHTTP(client: client, base: "http://127.0.0.1:\(try await first.port())")
        let acknowledged = Locked<[Int]>([])
        let attempted = Locked<Int>(0)
        let killed = Locked<Bool>(false)
        // Two submitters race; the test kills the server once 60 receipts are in, or after 60 s with what
        // is in by then (the whole suite on two cores once let only 33 through in that time).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<2 {
                group.addTask {
                    for index in stride(from: lane, to: transactions.count, by: 2) {
                        attempted.withLock { $0 = max($0, index + 1) }
                        // A submission that fails before the kill (a 10 s timeout on a loaded machine once
                        // ended a lane at 15 receipts) is tried again; after the kill the lane stops.
                        var answer: LedgerHTTP.Reply? = nil
                        for _ in 0..<20 {
                            answer = try? await http.submit(transactions[index])
                            if answer != nil || killed.withLock({ $0 }) { break }
                        }
                        guard let reply = answer else { return }
                        guard reply.status == 200 else {
                            Issue.record("status \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
                            return
                        }
                        let receipt = try reply.decode(TransactionReceipt.self)
                        // A retry whose first attempt was applied before its answer was lost is a duplicate.
                        #expect(receipt.status == .applied || receipt.status == .duplicate)
                        #expect(receipt.hash == transactions[index].hash)
                        acknowledged.withLock { $0.append(index) }
                    }
                }
            }
            group.addTask {
                let deadline = Date().addingTimeInterval(60)
                while acknowledged.withLock({ $0.count }) < 60 && Date() < deadline {
                    try await Task.sleep(for: .milliseconds(2))
                }
                killed.withLock { $0 = true }
                first.kill9()
            }
            try await group.waitForAll()
        }
        let acked = acknowledged.withLock { $0 }
        #expect(!acked.isEmpty)
        #expect(acked.count < transactions.count, "the kill came after the stream ended")

        let second = try ServerProcess(directory: directory)
        defer { second.kill9() }
        let again = LedgerHTTP(client: client, base: "http://127.0.0.1:\(try await second.port())")
        // Every acknowledged transaction is in the log.
        for index in acked {
            let reply = try await again.get("/v1/transactions/\(transactions[index].hash.hex)")
            #expect(reply.status == 200, "acknowledged tx \(index) lost")
        }
        // Resubmitting everything attempted: acknowledged ones are duplicates; the rest apply now, once.
        var expected: UInt64 = 0
        let tried = attempted.withLock { $0 }
        for index in 0..<min(transactions.count, tried + 2) {
            let reply = try await again.submit(transactions[index])
            #expect(reply.status == 200)
            let receipt = try reply.decode(TransactionReceipt.self)
            if acked.contains(index) { #expect(receipt.status == .duplicate, "tx \(index) applied twice") }
            expected += UInt64(index + 1)
        }
        let account = try await again.get("/v1/accounts/\(key.id.hex)").decode(AccountView.self)
        #expect(account.balance == expected)

        // Error mapping over the wire.
        let malformed = try await again.post("/v1/transactions", Array("{\"kind\":".utf8))
        #expect(malformed.status == 400)
        #expect(try malformed.decode(LedgerErrorBody.self).code == "tx.malformed")
        var forged = transactions[0]
        forged.nonce = 999_999
        let unauthorized = try await again.submit(forged)
        #expect(unauthorized.status == 401)
        #expect(try unauthorized.decode(LedgerErrorBody.self).code == "tx.bad_signature")
        let unknown = try await again.get("/v1/allocations/\(Hash.zero.hex)")
        #expect(unknown.status == 404)
        #expect(try unknown.decode(LedgerErrorBody.self).code == "ledger.unknown_allocation")
        #expect(try await again.get("/health").status == 200)
        let metrics = String(decoding: try await again.get("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("ledger_transactions_total"), "\(metrics.prefix(500))")
        #expect(metrics.contains("ledger_refusals_total"))

        #expect(await second.stop(), "no graceful shutdown on SIGTERM")
        let verify = try await LedgerBinary.run(["verify", "--data", directory])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test(.timeLimit(.minutes(1)))
    func oversizedBodiesAreRefusedWith413() async throws {
        let directory = temporaryDirectory("ledger-413")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await client.shutdown() } }
        let server = try ServerProcess(directory: directory, extra: ["--max-body", "4096"])
        defer { server.kill9() }
        let http = LedgerHTTP(client: client, base: "http://127.0.0.1:\(try await server.port())")
        let key = TestNetwork.key("big")
        let tx = LedgerTransaction.make(
            .registerBlobber,
            payload: RegisterBlobberPayload(
                url: String(repeating: "x", count: 8000), capacity: 1, readPrice: 1, writePrice: 1, region: "",
                stake: 0), key: key, nonce: 1, timestamp: Int64(Date().timeIntervalSince1970 * 1000))
        let reply = try await http.submit(tx)
        #expect(reply.status == 413)
        #expect(try reply.decode(LedgerErrorBody.self).code == "ledger.body_too_large")
        let after = try await http.get("/v1/blobbers")
        #expect(String(decoding: after.body, as: UTF8.self) == "[]")
    }
}
