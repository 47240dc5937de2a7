import Foundation
import Ledger
import LedgerAPI
import NIOCore
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// The same questions, with the same assertions, through both `LedgerAccess` implementations:
/// `HTTPLedger` against a real `ledger serve --faucet` on loopback, and `InProcessLedger` over a
/// `Ledger` opened in this process.
@Suite struct LedgerAccessTests {
    enum Implementation: String, CaseIterable, CustomTestStringConvertible {
        case http, inProcess
        var testDescription: String { rawValue }
    }

    @Test(.timeLimit(.minutes(2)), arguments: Implementation.allCases)
    func answersTheSameThroughEitherImplementation(_ implementation: Implementation) async throws {
        let directory = temporaryDirectory("ledger-access-\(implementation.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        switch implementation {
        case .http:
            let process = try ServerProcess(directory: directory)
            defer { process.kill9() }
            try await exercise(HTTPLedger(baseURL: "http://127.0.0.1:\(try await process.port())/"))
        case .inProcess:
            let ledger = try Ledger.open(directory: directory, rules: LedgerRules(faucet: true))
            try await exercise(InProcessLedger(ledger))
        }
    }

    func exercise(_ ledger: any LedgerAccess) async throws {
        let owner = SigningKey.generate()
        let blobber = SigningKey.generate()
        let blobberID = blobber.publicKey.blobberID
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        func transaction(_ kind: TransactionKind, _ payload: some Encodable, by key: SigningKey, nonce: UInt64)
            -> LedgerTransaction
        {
            LedgerTransaction.make(kind, payload: payload, key: key, nonce: nonce, timestamp: now)
        }

        // What the ledger does not know is nil, or a balance of 0: not an error.
        #expect(try await ledger.balance(of: owner.id) == 0)
        #expect(try await ledger.blobber(blobberID) == nil)
        #expect(try await ledger.allocation(AllocationID(SHA256.hash(Array("no such allocation".utf8)))) == nil)
        #expect(try await ledger.blobbers().isEmpty)
        #expect(try await ledger.openChallenges(for: blobberID).isEmpty)

        let faucet = transaction(.faucet, FaucetPayload(amount: 50_000_000), by: owner, nonce: 1)
        #expect(try await ledger.submit(faucet).status == .applied)
        #expect(try await ledger.submit(faucet).status == .duplicate)
        #expect(try await ledger.balance(of: owner.id) == 50_000_000)

        _ = try await ledger.submit(transaction(.faucet, FaucetPayload(amount: 1_000_000), by: blobber, nonce: 2))
        let registration = RegisterBlobberPayload(
            url: "http://127.0.0.1:1", capacity: 1 << 30, readPrice: 1, writePrice: 1 << 20, region: "test",
            stake: 1_000_000)
        _ = try await ledger.submit(transaction(.registerBlobber, registration, by: blobber, nonce: 3))
        let record = try #require(try await ledger.blobber(blobberID))
        #expect(record.id == blobberID && record.url == "http://127.0.0.1:1" && record.stake == 1_000_000)
        #expect(record.capacity == 1 << 30 && record.region == "test")
        #expect(try await ledger.blobbers() == [record])
        #expect(try await ledger.balance(of: blobber.id) == 0)

        // A refusal carries the documented status and code.
        do throws(LedgerAccessError) {
            _ = try await ledger.submit(transaction(.registerBlobber, registration, by: blobber, nonce: 4))
            Issue.record("a second registration was accepted")
        } catch {
            guard case .refused(let status, let body) = error else {
                Issue.record("not a refusal: \(error)")
                return
            }
            #expect(status == 409 && body.code == "ledger.already_registered")
            #expect(error.refusalCode == "ledger.already_registered" && !error.isUnknown("ledger.already_registered"))
        }

        let created = try await ledger.submit(
            transaction(
                .createAllocation,
                CreateAllocationPayload(
                    dataShards: 1, parityShards: 0, size: 1 << 20, expiry: now + 3_600_000, blobbers: [blobberID],
                    writePool: 10_000_000), by: owner, nonce: 5))
        let id = try #require(created.result.allocationID)
        let view = try #require(try await ledger.allocation(id))
        #expect(view.allocation.id == id && view.allocation.ownerKey == owner.publicKey)
        #expect(view.allocation.writePool == 10_000_000 && view.blobbers.map(\.blobberID) == [blobberID])
        #expect(try await ledger.balance(of: owner.id) == 40_000_000)
        #expect(try await ledger.openChallenges(for: blobberID).isEmpty)
    }

    /// A 404 that is not one of the documented `ledger.unknown_*` codes (a wrong base URL answering
    /// `request.not_found`) is a refusal, not "unknown".
    @Test(.timeLimit(.minutes(1)))
    func aWrongPathIsNotAnUnknownAllocation() async throws {
        let directory = temporaryDirectory("ledger-access-path")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try ServerProcess(directory: directory)
        defer { process.kill9() }
        let wrong = HTTPLedger(baseURL: "http://127.0.0.1:\(try await process.port())/nothing-here")
        do throws(LedgerAccessError) {
            _ = try await wrong.allocation(AllocationID(SHA256.hash([1])))
            Issue.record("a wrong path answered as an unknown allocation")
        } catch {
            guard case .refused(let status, let body) = error else {
                Issue.record("not a refusal: \(error)")
                return
            }
            #expect(status == 404 && body.code == "request.not_found")
        }
    }

    /// No ledger listening: `.unreachable`, naming the request.
    @Test(.timeLimit(.minutes(1)))
    func aDeadLedgerIsUnreachable() async throws {
        let port = TestPorts.reserve()
        let dead = HTTPLedger(baseURL: "http://127.0.0.1:\(port)", readTimeout: .seconds(2))
        do throws(LedgerAccessError) {
            _ = try await dead.balance(of: SHA256.hash([2]))
            Issue.record("a balance came from a dead ledger")
        } catch {
            guard case .unreachable(let request, _) = error else {
                Issue.record("not unreachable: \(error)")
                return
            }
            #expect(request == "GET /v1/accounts/\(SHA256.hash([2]).hex)")
        }
    }
}
