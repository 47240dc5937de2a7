import Client
import Foundation
import Ledger
import LedgerAPI
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// The client's ledger client over both `LedgerAccess` implementations (a real `ledger serve` on
/// loopback, and a `Ledger` in this process): the same answers and the same client errors.
@Suite struct LedgerClientTests {
    enum Implementation: String, CaseIterable, CustomTestStringConvertible {
        case http, inProcess
        var testDescription: String { rawValue }
    }

    @Test(.timeLimit(.minutes(2)), arguments: Implementation.allCases)
    func answersAndRefusesAlike(_ implementation: Implementation) async throws {
        switch implementation {
        case .http:
            let process = try await LedgerProcess.start()
            do {
                try await exercise(LedgerClient(baseURL: process.url))
            } catch {
                await process.stop()
                throw error
            }
            await process.stop()
        case .inProcess:
            let directory = temporaryDirectory("client-in-process-ledger")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let ledger = try Ledger.open(directory: directory, rules: LedgerRules(faucet: true))
            try await exercise(LedgerClient(InProcessLedger(ledger), baseURL: "in-process"))
        }
    }

    func exercise(_ ledger: LedgerClient) async throws {
        let owner = SigningKey.generate()
        let unknown = AllocationID(SHA256.hash(Array("no such allocation".utf8)))
        // An account that never held anything has 0; an unknown allocation is the ledger's refusal.
        #expect(try await ledger.balance(of: owner.id) == 0)
        await #expect(
            throws: ClientError.ledgerRefused(code: "ledger.unknown_allocation", message: "no allocation \(unknown)")
        ) {
            try await ledger.allocation(unknown)
        }

        _ = try await ledger.submit(.faucet, FaucetPayload(amount: 100 * Token.unitsPerToken), key: owner)
        #expect(try await ledger.balance(of: owner.id) == 100 * Token.unitsPerToken)
        let blobbers = try await AllocCommandTests.registerBlobbers(2, ledger: ledger, regions: ["eu"])
        await #expect(
            throws: ClientError.ledgerRefused(
                code: "ledger.already_registered",
                message: "blobber \(blobbers[0].publicKey.blobberID) is already registered")
        ) {
            try await ledger.submit(
                .registerBlobber,
                RegisterBlobberPayload(
                    url: "http://127.0.0.1:1", capacity: 1 << 30, readPrice: 1, writePrice: 1, region: "eu", stake: 0),
                key: blobbers[0])
        }
        #expect(Set(try await ledger.blobbers().map(\.id)) == Set(blobbers.map(\.publicKey.blobberID)))

        // The allocation service works over either.
        let view = try await AllocationService(ledger: ledger, owner: owner).create(
            .init(
                dataShards: 1, parityShards: 1, size: 1 << 20, lifetime: 3_600_000,
                blobbers: blobbers.map(\.publicKey.blobberID)))
        #expect(try await ledger.allocation(view.allocation.id) == view)
        #expect(try await ledger.balance(of: owner.id) == 100 * Token.unitsPerToken - view.allocation.writePool)
    }

    /// No ledger listening: `client.ledger_unreachable` naming the URL.
    @Test(.timeLimit(.minutes(1)))
    func aDeadLedgerIsUnreachable() async throws {
        let url = "http://127.0.0.1:\(TestPorts.reserve())"
        do throws(ClientError) {
            _ = try await LedgerClient(baseURL: url).balance(of: SHA256.hash([3]))
            Issue.record("a balance came from a dead ledger")
        } catch {
            guard case .ledgerUnreachable(let named, _) = error else {
                Issue.record("not unreachable: \(error)")
                return
            }
            #expect(named == url && error.code == "client.ledger_unreachable")
        }
    }
}
