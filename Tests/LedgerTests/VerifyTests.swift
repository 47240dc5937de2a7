import Foundation
import GRDB
import Ledger
import Merkle
import StorageProtocol
import TestProcesses
import Testing

@Suite struct VerifyTests {
    /// A log with several blocks: funding, blobbers, two allocations, chains, a challenge and its timeout.
    static func busyLedger(in directory: String) async throws -> (TestNetwork, Ledger) {
        let time = ManualTime(TestNetwork.start)
        let ledgerKey = TestNetwork.key("verify ledger")
        let ledger = try Ledger(
            database: LedgerDatabase(path: directory + "/ledger.sqlite"), key: ledgerKey,
            rules: LedgerRules(faucet: true), clock: .manual(time))
        let network = try TestNetwork(ledger: ledger, time: time, ledgerKey: ledgerKey)
        let owner = TestNetwork.key("owner")
        try await network.fund(owner, 50_000_000)
        let blobbers = try await network.registerBlobbers(4)
        try await ledger.sealBlock()
        let first = try await network.createAllocation(
            owner: owner, blobbers: Array(blobbers[0..<3]), dataShards: 2, size: 4 << 20, writePool: 10_000_000)
        let second = try await network.createAllocation(
            owner: owner, blobbers: Array(blobbers[1..<4]), dataShards: 1, size: 1 << 20, writePool: 10_000_000)
        time.advance(by: 1000)
        try await ledger.sealBlock()
        for (allocation, set) in [(first, blobbers[0..<3]), (second, blobbers[1..<4])] {
            for blobber in set {
                let markers = network.chain(
                    owner: owner, allocation: allocation, blobber: blobber, sizes: [5000, 7000, -2000, 1000])
                try await network.submitChain(markers, allocation: allocation, by: blobber)
            }
            time.advance(by: 500)
            try await ledger.sealBlock()
        }
        let challenge = try #require(try await ledger.issueChallenge())
        time.advance(by: ledger.rules.challengeTimeout + 1)
        let timeouts = try await ledger.expireChallenges()
        #expect(timeouts.count == 1)
        #expect(timeouts.first?.result.challengeID == challenge.result.challengeID)
        try await ledger.sealBlock()
        // One more in the open block.
        try await network.fund(TestNetwork.key("late"), 5)
        return (network, ledger)
    }

    @Test func verifyPassesOnABusyLogInProcess() async throws {
        let directory = temporaryDirectory("ledger-verify")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (network, ledger) = try await VerifyTests.busyLedger(in: directory)
        let summary = try LedgerVerifier.verify(ledger.database)
        #expect(summary.blocks == 5)
        #expect(summary.markers == 24)
        #expect(summary.openTransactions == 1)
        try await network.expectConserved()
    }

    @Test func ledgerVerifyPassesThenFailsNamingTheEditedRow() async throws {
        let directory = temporaryDirectory("ledger-tamper")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (_, ledger) = try await VerifyTests.busyLedger(in: directory)
        let ok = try await LedgerBinary.run(["verify", "--data", directory])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("ok: 5 sealed blocks"))

        // A balance edited behind the ledger's back.
        let owner = TestNetwork.key("owner").id
        try await ledger.database.writer.write { db in
            try db.execute(sql: "UPDATE accounts SET balance = balance + 1 WHERE id = ?", arguments: [owner.blobData])
        }
        let edited = try await LedgerBinary.run(["verify", "--data", directory])
        #expect(edited.status != 0)
        #expect(edited.stderr.contains("table accounts"), "\(edited.stderr)")
        #expect(edited.stderr.contains(owner.hex), "\(edited.stderr)")
    }

    @Test func ledgerShowPrintsTheStateAsJSON() async throws {
        let directory = temporaryDirectory("ledger-show")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await VerifyTests.busyLedger(in: directory)
        let outcome = try await LedgerBinary.run(["show", "--data", directory, "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect((object["blobbers"] as? [Any])?.count == 4)
        #expect((object["allocations"] as? [Any])?.count == 2)
        #expect((object["challenges"] as? [Any])?.count == 1)
        let supply = try #require(object["supply"] as? [String: Any])
        let held = ["balances", "write_pools", "challenge_pools", "stakes"].compactMap { supply[$0] as? Int }.reduce(0, +)
        #expect(supply["minted"] as? Int == held)
        let text = try await LedgerBinary.run(["show", "--data", directory])
        #expect(text.stdout.contains("blobbers (4):"))
    }

    @Test func ledgerVerifyNamesTheBlockAndTransactionOfAnEditedPayload() async throws {
        let directory = temporaryDirectory("ledger-tamper-tx")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (_, ledger) = try await VerifyTests.busyLedger(in: directory)
        // Change the amount of the first faucet transaction.
        let (hash, block) = try await ledger.database.writer.write { db -> (Data, Int64) in
            let row = try #require(
                try Row.fetchOne(db, sql: "SELECT hash, block, payload FROM transactions WHERE kind = 'faucet' ORDER BY seq LIMIT 1"))
            let payload = String(decoding: row["payload"] as Data, as: UTF8.self)
            let tampered = payload.replacingOccurrences(of: "50000000", with: "90000000")
            #expect(tampered != payload)
            try db.execute(
                sql: "UPDATE transactions SET payload = ? WHERE hash = ?",
                arguments: [Data(tampered.utf8), row["hash"] as Data])
            return (row["hash"], row["block"])
        }
        let outcome = try await LedgerBinary.run(["verify", "--data", directory])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("block \(block)"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(Hex.encode(hash)), "\(outcome.stderr)")
    }

    @Test func verifyFailsOnAnEditedBlockAndAnEditedMarker() async throws {
        let directory = temporaryDirectory("ledger-tamper-block")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (_, ledger) = try await VerifyTests.busyLedger(in: directory)
        try await ledger.database.writer.write { db in
            try db.execute(sql: "UPDATE blocks SET timestamp = timestamp + 1 WHERE height = 3")
        }
        do {
            _ = try LedgerVerifier.verify(ledger.database)
            Issue.record("verify passed over an edited block")
        } catch let failure as VerifyFailure {
            #expect(failure.block == 3, "\(failure)")
        }
        try await ledger.database.writer.write { db in
            try db.execute(sql: "UPDATE blocks SET timestamp = timestamp - 1 WHERE height = 3")
            try db.execute(sql: "UPDATE markers SET hash = zeroblob(32) WHERE sequence = 2")
        }
        do {
            _ = try LedgerVerifier.verify(ledger.database)
            Issue.record("verify passed over an edited marker")
        } catch let failure as VerifyFailure {
            #expect(failure.table == "markers", "\(failure)")
        }
    }

    /// The ledger clock a transaction was applied at is committed to by its effects digest.
    @Test func verifyFailsOnAnEditedApplicationTime() async throws {
        let directory = temporaryDirectory("ledger-tamper-time")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (_, ledger) = try await VerifyTests.busyLedger(in: directory)
        let hash = try await ledger.database.writer.write { db -> Data in
            let hash = try #require(
                try Data.fetchOne(db, sql: "SELECT hash FROM transactions WHERE kind = 'faucet' ORDER BY seq LIMIT 1"))
            try db.execute(sql: "UPDATE transactions SET applied_at = applied_at - 1 WHERE hash = ?", arguments: [hash])
            return hash
        }
        do {
            _ = try LedgerVerifier.verify(ledger.database)
            Issue.record("verify passed over an edited applied_at")
        } catch let failure as VerifyFailure {
            #expect(failure.transaction?.bytes == Array(hash), "\(failure)")
            #expect(failure.reason.contains("effects digest"), "\(failure)")
        }
    }
}

extension Hash {
    var blobData: Data { Data(bytes) }
}
