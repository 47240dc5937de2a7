import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// `blob wallet faucet` and `blob alloc` against a real ledger process.
@Suite(.serialized) struct AllocCommandTests {
    /// Registers `count` blobbers (funded, staked) whose URLs point at a closed port.
    static func registerBlobbers(
        _ count: Int, ledger: LedgerClient, regions: [String], prices: [UInt64]? = nil
    ) async throws -> [SigningKey] {
        var keys: [SigningKey] = []
        for index in 0..<count {
            let key = SigningKey.generate()
            _ = try await ledger.submit(.faucet, FaucetPayload(amount: 10 * Token.unitsPerToken), key: key)
            _ = try await ledger.submit(
                .registerBlobber,
                RegisterBlobberPayload(
                    url: "http://127.0.0.1:1", capacity: 8 << 30, readPrice: 1,
                    writePrice: prices?[index] ?? Token.unitsPerToken / 10, region: regions[index % regions.count],
                    stake: Token.unitsPerToken), key: key)
            keys.append(key)
        }
        return keys
    }

    @Test func faucetThenAllocationOnExplicitBlobbers() async throws {
        let ledgerProcess = try await LedgerProcess.start()
        let home = temporaryDirectory("blob-home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        do {
            let ledger = LedgerClient(baseURL: ledgerProcess.url)
            _ = try await run("blob", ["wallet", "create", "--home", home])
            let faucet = try await run(
                "blob", ["wallet", "faucet", "--home", home, "--ledger", ledgerProcess.url, "--tokens", "50", "--json"])
            #expect(faucet.status == 0, "\(faucet.stdout) \(faucet.stderr)")
            let owner = try KeyFile.read(from: home + "/wallet.json")
            #expect(try await ledger.balance(of: owner.id) == 50 * Token.unitsPerToken)

            let blobbers = try await Self.registerBlobbers(6, ledger: ledger, regions: ["eu", "us"])
            let ids = blobbers.map { $0.publicKey.blobberID.hex }
            // The ledger address was remembered from the faucet call.
            let created = try await run(
                "blob",
                [
                    "alloc", "new", "--home", home, "--data", "4", "--parity", "2", "--size", "1GiB", "--expiry", "2d",
                    "--blobbers", ids.joined(separator: ","), "--json",
                ])
            #expect(created.status == 0, "\(created.stdout) \(created.stderr)")
            let allocationHex = try #require(created.json["id"] as? String)
            let view = try await ledger.allocation(try #require(AllocationID(hex: allocationHex)))
            #expect(view.allocation.ownerID == owner.publicKey.clientID)
            #expect(view.allocation.dataShards == 4 && view.allocation.parityShards == 2)
            #expect(view.allocation.size == 1 << 30)
            #expect(view.blobbers.sorted { $0.shardIndex < $1.shardIndex }.map(\.blobberID.hex) == ids)
            // The write pool is exactly cost_up(shard size, Σ prices), and came out of the balance.
            let pool = try #require(
                Token.costRoundedUp(bytes: (1 << 30) / 4, pricePerGiB: 6 * (Token.unitsPerToken / 10)))
            #expect(view.allocation.writePool == pool)
            #expect(try await ledger.balance(of: owner.id) == 50 * Token.unitsPerToken - pool)

            // It became the default: show without --alloc, and list.
            let shown = try await run("blob", ["alloc", "show", "--home", home, "--json"])
            #expect(shown.json["id"] as? String == allocationHex)
            #expect(shown.json["default"] as? Bool == true)
            let listed = try await run("blob", ["alloc", "list", "--home", home, "--json"])
            let list = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
            #expect(list?.compactMap { $0["id"] as? String } == [allocationHex])
        } catch {
            await ledgerProcess.stop()
            throw error
        }
        await ledgerProcess.stop()
    }

    @Test func choosingRefusesUnreachableBlobbersAndLocksNothing() async throws {
        let ledgerProcess = try await LedgerProcess.start()
        let home = temporaryDirectory("blob-home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        do {
            let ledger = LedgerClient(baseURL: ledgerProcess.url)
            _ = try await run("blob", ["wallet", "create", "--home", home])
            _ = try await run("blob", ["wallet", "faucet", "--home", home, "--ledger", ledgerProcess.url])
            let owner = try KeyFile.read(from: home + "/wallet.json")
            let before = try await ledger.balance(of: owner.id)
            _ = try await Self.registerBlobbers(6, ledger: ledger, regions: ["eu"])
            let refused = try await run(
                "blob", ["alloc", "new", "--home", home, "--data", "4", "--parity", "2", "--size", "1GiB", "--json"])
            #expect(refused.status == 1)
            let error = try #require(refused.json["error"] as? [String: Any])
            #expect(error["code"] as? String == "client.not_enough_blobbers")
            #expect((error["message"] as? String)?.contains("6 unreachable") == true, "\(error)")
            #expect(try await ledger.balance(of: owner.id) == before)
            let shown = try await run("blob", ["alloc", "show", "--home", home, "--json"])
            #expect((shown.json["error"] as? [String: Any])?["code"] as? String == "client.no_allocation")
        } catch {
            await ledgerProcess.stop()
            throw error
        }
        await ledgerProcess.stop()
    }

    @Test func unreachableLedgerIsNamed() async throws {
        let home = temporaryDirectory("blob-home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        _ = try await run("blob", ["wallet", "create", "--home", home])
        let outcome = try await run(
            "blob", ["wallet", "show", "--home", home, "--ledger", "http://127.0.0.1:1", "--json"])
        #expect(outcome.status == 1)
        let error = try #require(outcome.json["error"] as? [String: Any])
        #expect(error["code"] as? String == "client.ledger_unreachable")
        #expect((error["message"] as? String)?.contains("http://127.0.0.1:1") == true)
    }
}
