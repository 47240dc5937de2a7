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

        let faucet = try await ledger.submit(.faucet, FaucetPayload(amount: 100 * Token.unitsPerToken), key: owner)
        #expect(try await ledger.balance(of: owner.id) == 100 * Token.unitsPerToken)
        try await exercisePegs(ledger, key: owner, notAPeg: faucet.hash)
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

    /// A peg is submitted, read back by its txid as signed, and refused when it is not valid; pegging
    /// moves no money.
    func exercisePegs(_ ledger: LedgerClient, key: SigningKey, notAPeg: Hash) async throws {
        let balance = try await ledger.balance(of: key.id)
        let valueHash = SHA256.hash(Array("a pegged value".utf8))
        let uri = "blobnet://\(SHA256.hash([1]).hex)/.kv/readings/r%C3%A9sum%C3%A9"
        let receipt = try await ledger.peg(hash: valueHash, uri: uri, key: key)
        #expect(receipt.status == .applied && receipt.result == TransactionResult())
        let peg = try await ledger.peg(receipt.hash)
        #expect(peg.txid == receipt.hash && peg.hash == valueHash && peg.uri == uri)
        #expect(peg.publicKey == key.publicKey && peg.block == receipt.block)
        #expect(try await ledger.balance(of: key.id) == balance)

        let unknown = SHA256.hash(Array("no such transaction".utf8))
        await #expect(
            throws: ClientError.ledgerRefused(code: "ledger.unknown_transaction", message: "no transaction \(unknown)")
        ) { try await ledger.peg(unknown) }
        await #expect(throws: ClientError.invalidArgument("transaction \(notAPeg) is a faucet, not a peg")) {
            try await ledger.peg(notAPeg)
        }
        // The client refuses a uri out of range before sending; the ledger refuses it too.
        let long = String(repeating: "u", count: PegPayload.maxURIBytes + 1)
        await #expect(throws: ClientError.invalidArgument("cannot peg: uri must be 1...2048 bytes, got 2049")) {
            try await ledger.peg(hash: valueHash, uri: long, key: key)
        }
        for bad in ["", long] {
            do throws(ClientError) {
                _ = try await ledger.submit(.peg, PegPayload(hash: valueHash, uri: bad), key: key)
                Issue.record("a peg with a \(bad.utf8.count)-byte uri was accepted")
            } catch {
                #expect(error.code == "ledger.invalid_peg", "\(error)")
            }
        }
        // One spelling of the hash only: uppercase hex is malformed.
        do throws(ClientError) {
            _ = try await ledger.submit(.peg, ["hash": valueHash.hex.uppercased(), "uri": uri], key: key)
            Issue.record("a peg with an uppercase hash was accepted")
        } catch {
            #expect(error.code == "tx.malformed", "\(error)")
        }
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
