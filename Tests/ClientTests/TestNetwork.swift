import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// A real ledger and `n` real blobber processes on 127.0.0.1, a funded wallet in a temporary home
/// and an allocation on all the blobbers. `stop()` kills every process by PID and removes the folders.
final class TestNetwork: Sendable {
    let ledger: LedgerProcess
    private let processes: Locked<[ServerProcess]>
    var blobbers: [ServerProcess] { processes.withLock { $0 } }
    /// Data folder of each blobber process, in process order.
    let blobberDirectories: [String]
    let root: String
    let home: ClientHome
    let owner: SigningKey
    let allocation: AllocationID

    var ledgerClient: LedgerClient { LedgerClient(baseURL: ledger.url) }

    /// `spare` more blobbers run beside the allocation's `data + parity`, registered but not in it (the
    /// allocation is made on the first `data + parity`).
    static func start(
        data: Int = 4, parity: Int = 2, size: UInt64 = 1 << 30, spare: Int = 0, blobberArguments: [String] = [],
        ledgerArguments: [String] = []
    ) async throws -> TestNetwork {
        let ledger = try await LedgerProcess.start(arguments: ledgerArguments)
        let root = temporaryDirectory("client-net")
        var blobbers: [ServerProcess] = []
        var directories: [String] = []
        do {
            for index in 0..<(data + parity + spare) {
                let directory = root + "/blobber\(index)"
                let initialized = try await run(
                    "blobber", ["init", "--data", directory, "--ledger-url", ledger.url, "--port", "0"])
                guard initialized.status == 0 else { throw TestFailure("blobber init: \(initialized.stderr)") }
                let server = try ServerProcess(
                    "blobber",
                    [
                        "serve", "--config", directory + "/blobber.yaml", "--port", String(TestPorts.reserve()),
                        "--host", "127.0.0.1",
                        "--stake", "0",
                        "--region", "r\(index % 3)", "--log-level", "error",
                    ] + blobberArguments)
                blobbers.append(server)
                directories.append(directory)
            }
            for server in blobbers { _ = try await server.port() }
            let home = ClientHome(explicit: root + "/home")
            let owner = try home.createWallet()
            try home.saveSettings(ClientSettings(ledgerURL: ledger.url))
            let client = LedgerClient(baseURL: ledger.url)
            _ = try await client.submit(.faucet, FaucetPayload(amount: 100 * Token.unitsPerToken), key: owner)
            var members: [BlobberID]?
            if spare > 0 {
                let ids = try directories.prefix(data + parity).map {
                    try KeyFile.read(from: $0 + "/blobber-key.json").publicKey.blobberID
                }
                // Every blobber registered, so that the spares are there to be chosen later.
                for _ in 0..<300 where try await client.blobbers().count < directories.count {
                    try await Task.sleep(for: .milliseconds(100))
                }
                members = ids
            }
            let view = try await AllocationService(ledger: client, owner: owner).create(
                .init(dataShards: data, parityShards: parity, size: size, lifetime: 3_600_000, blobbers: members))
            var settings = try home.loadSettings()
            settings.defaultAllocation = view.allocation.id
            settings.allocations = [view.allocation.id]
            try home.saveSettings(settings)
            return TestNetwork(
                ledger: ledger, blobbers: blobbers, blobberDirectories: directories, root: root, home: home,
                owner: owner,
                allocation: view.allocation.id)
        } catch {
            for server in blobbers { await server.stop() }
            await ledger.stop()
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
    }

    private init(
        ledger: LedgerProcess, blobbers: [ServerProcess], blobberDirectories: [String], root: String, home: ClientHome,
        owner: SigningKey, allocation: AllocationID
    ) {
        self.ledger = ledger
        self.processes = Locked(blobbers)
        self.blobberDirectories = blobberDirectories
        self.root = root
        self.home = home
        self.owner = owner
        self.allocation = allocation
    }

    func stop() async {
        for server in blobbers { await server.stop() }
        await ledger.stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs `body` and always stops the network.
    static func with(
        data: Int = 4, parity: Int = 2, size: UInt64 = 1 << 30, spare: Int = 0, blobberArguments: [String] = [],
        ledgerArguments: [String] = [], _ body: (TestNetwork) async throws -> Void
    ) async throws {
        let network = try await start(
            data: data, parity: parity, size: size, spare: spare, blobberArguments: blobberArguments,
            ledgerArguments: ledgerArguments)
        do {
            try await body(network)
        } catch {
            await network.stop()
            throw error
        }
        await network.stop()
    }

    func session(signer: SigningKey? = nil, ticket: ShareTicket? = nil) async throws -> AllocationSession {
        try await AllocationSession.open(
            allocation, ledger: ledgerClient, signer: signer ?? owner, home: home, ticket: ticket)
    }

    /// Every blobber's head, in shard order, read from the blobbers themselves.
    func heads() async throws -> [BlobberHead] {
        let session = try await session()
        var out: [BlobberHead] = []
        for blobber in session.blobbers { out.append(try await blobber.state().head) }
        return out
    }

    /// The process and data folder of the blobber holding shard `index`.
    func blobber(shard index: Int) async throws -> (process: ServerProcess, directory: String) {
        let session = try await session()
        let id = session.blobbers[index].blobberID
        for (position, directory) in blobberDirectories.enumerated() {
            if try KeyFile.read(from: directory + "/blobber-key.json").publicKey.blobberID == id {
                return (blobbers[position], directory)
            }
        }
        throw TestFailure("no blobber process holds shard \(index)")
    }

    /// Restarts the blobber of shard `index` (stopped or running) on the port it had (its registered
    /// URL), with `extra` serve options such as `--fault-delay-ms`.
    func restart(shard index: Int, extra: [String] = []) async throws {
        let (old, directory) = try await blobber(shard: index)
        let port = try await old.port()
        await old.stop()
        let fresh = try ServerProcess(
            "blobber",
            [
                "serve", "--config", directory + "/blobber.yaml", "--port", String(port), "--host", "127.0.0.1",
                "--stake", "0", "--log-level", "error",
            ] + extra)
        processes.withLock { list in
            if let position = list.firstIndex(where: { $0 === old }) { list[position] = fresh }
        }
        _ = try await fresh.port()
    }

    /// Flips one byte in the second block of the shard of `path` that the blobber of shard `index`
    /// stores on disk, so that blobber serves bytes that do not verify.
    func corruptStoredShard(of path: String, shard index: Int) async throws {
        let session = try await session()
        let shardRoot = try #require(try await session.blobbers[index].file(path)).entry.shardRoot
        let shardPath = try await blobber(shard: index).directory + "/shards/\(allocation.hex)/\(shardRoot.hex)"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: shardPath))
        bytes[70_000] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: shardPath))
    }

    /// A file of `size` pseudo-random bytes in the network's folder.
    func localFile(_ name: String, size: Int, seed: UInt64) throws -> (path: String, bytes: [UInt8]) {
        let bytes = ShardEncoderTests.bytes(size, seed: seed)
        let path = root + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }
}
