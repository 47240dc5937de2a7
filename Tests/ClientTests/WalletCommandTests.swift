import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// `blob wallet` through the real binary: where the wallet goes, what it prints, what it refuses.
@Suite struct WalletCommandTests {
    @Test func createWritesA0600KeyAndShowReadsIt() async throws {
        let home = temporaryDirectory("blob-home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let created = try await run("blob", ["wallet", "create", "--home", home, "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let key = try KeyFile.read(from: home + "/wallet.json")  // refuses anything but 0600
        #expect(created.json["client_id"] as? String == key.id.hex)
        #expect(created.json["public_key"] as? String == key.publicKey.hex)
        let shown = try await run("blob", ["wallet", "show", "--home", home, "--json"])
        #expect(shown.status == 0)
        #expect(shown.json["client_id"] as? String == key.id.hex)
    }

    @Test func createNeverReplacesAWallet() async throws {
        let home = temporaryDirectory("blob-home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        _ = try await run("blob", ["wallet", "create", "--home", home])
        let before = try KeyFile.read(from: home + "/wallet.json")
        let again = try await run("blob", ["wallet", "create", "--home", home, "--json"])
        #expect(again.status == 1)
        let error = again.json["error"] as? [String: Any]
        #expect(error?["code"] as? String == "client.wallet_exists")
        #expect(try KeyFile.read(from: home + "/wallet.json").id == before.id)
    }

    @Test func homeComesFromTheEnvironmentWhenNoFlag() async throws {
        let home = temporaryDirectory("blob-env-home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let created = try await run("blob", ["wallet", "create", "--json"], environment: ["BLOB_HOME": home])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.json["path"] as? String == home + "/wallet.json")
        #expect(FileManager.default.fileExists(atPath: home + "/wallet.json"))
    }

    @Test func missingWalletSaysWhatToDo() async throws {
        let home = temporaryDirectory("blob-empty-home")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let shown = try await run("blob", ["wallet", "show", "--home", home])
        #expect(shown.status == 1)
        #expect(shown.stderr.contains("blob wallet create"), "\(shown.stderr)")
        #expect(shown.stdout.isEmpty)
    }
}
