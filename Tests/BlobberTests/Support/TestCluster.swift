import AsyncHTTPClient
import Foundation
import LedgerAPI
import Merkle
import NIOCore
import NIOHTTP1
import StorageProtocol
import TestProcesses
import Testing

/// An HTTP answer.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(body)) } catch {
            throw TestFailure(
                "cannot decode \(T.self) from \(status) \(String(decoding: body, as: UTF8.self))")
        }
    }

    /// The error code of an error answer, nil for 200.
    var code: String? {
        guard status != 200 else { return nil }
        return (try? JSONDecoder().decode(ErrorBody.self, from: Data(body)))?.code ?? "status-\(status)"
    }
}

func call(
    _ method: HTTPMethod, _ url: String, body: [UInt8]? = nil, headers: [(String, String)] = []
) async throws -> Reply {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(8))
    let buffer = try await response.body.collect(upTo: 64 << 20)
    return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer.readableBytesView))
}

func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

/// A real `ledger serve` (faucet on) and the helpers to fund keys and create allocations.
final class TestLedger: Sendable {
    let process: ServerProcess
    let url: String
    let directory: String

    /// A ledger on `port`, or on a port from `TestPorts` (tests restart it on the port it had).
    static func start(directory: String? = nil, port: Int? = nil, challengeInterval: Int = 0) async throws
        -> TestLedger
    {
        let folder = directory ?? temporaryDirectory("ledger")
        let process = try ServerProcess(
            "ledger",
            [
                "serve", "--data", folder, "--port", "\(port ?? TestPorts.reserve())", "--host", "127.0.0.1",
                "--faucet", "--block-interval",
                "0.2",
                "--challenge-interval", "\(challengeInterval)", "--challenge-timeout", "30",
            ])
        let bound = try await process.port()
        return TestLedger(process: process, url: "http://127.0.0.1:\(bound)", directory: folder)
    }

    private init(process: ServerProcess, url: String, directory: String) {
        self.process = process
        self.url = url
        self.directory = directory
    }

    /// The ledger through the blobbers' own ledger client.
    var access: HTTPLedger { HTTPLedger(baseURL: url) }

    @discardableResult
    func submit(_ kind: TransactionKind, _ payload: some Encodable, by key: SigningKey) async throws
        -> TransactionReceipt
    {
        let tx = LedgerTransaction.make(
            kind, payload: payload, key: key, nonce: .random(in: 0...UInt64.max), timestamp: nowMillis())
        do throws(LedgerAccessError) {
            return try await access.submit(tx)
        } catch {
            throw TestFailure("\(kind) refused: \(error)")
        }
    }

    func fund(_ key: SigningKey, _ amount: UInt64 = 1_000_000_000_000) async throws {
        try await submit(.faucet, FaucetPayload(amount: amount), by: key)
    }

    func createAllocation(
        owner: SigningKey, blobbers: [BlobberID], dataShards: Int = 1, size: UInt64 = 64 << 20,
        lifetime: Int64 = 3_600_000
    ) async throws -> AllocationID {
        let receipt = try await submit(
            .createAllocation,
            CreateAllocationPayload(
                dataShards: dataShards, parityShards: blobbers.count - dataShards, size: size,
                expiry: nowMillis() + lifetime, blobbers: blobbers, writePool: 10_000_000_000), by: owner)
        return try #require(receipt.result.allocationID)
    }

    func allocation(_ id: AllocationID) async throws -> AllocationView {
        guard let view = try await access.allocation(id) else { throw TestFailure("the ledger has no allocation \(id)") }
        return view
    }

    /// The blobber's record, nil until it registered.
    func blobber(_ id: BlobberID) async throws -> BlobberRecord? {
        try await access.blobber(id)
    }

    func challenges(blobber: BlobberID, status: String) async throws -> [ChallengeRecord] {
        try await call(.GET, url + "/v1/challenges?blobber=\(blobber.hex)&status=\(status)").decode(
            [ChallengeRecord].self)
    }

    func stop() async { await process.stop() }
}

/// A real `blobber serve` made by `blobber init`.
final class TestBlobber: Sendable {
    let directory: String
    let key: SigningKey
    let process: ServerProcess
    let url: String

    var id: BlobberID { key.publicKey.blobberID }

    /// `blobber init` (when the folder is new) and `blobber serve --port 0`.
    static func start(ledger: String, directory: String? = nil, extra: [String] = []) async throws -> TestBlobber {
        let folder = directory ?? temporaryDirectory("blobber")
        if !FileManager.default.fileExists(atPath: folder + "/blobber.yaml") {
            let outcome = try await runProgram(
                builtBinary("blobber"), ["init", "--data", folder, "--ledger-url", ledger])
            #expect(outcome.status == 0)
        }
        let key = try KeyFile.read(from: folder + "/blobber-key.json")
        let process = try ServerProcess(
            "blobber",
            [
                "serve", "--config", folder + "/blobber.yaml", "--port", "0", "--ledger-url", ledger, "--stake", "0",
                "--batch-idle", "0.2", "--batch-max-age", "1", "--challenge-poll-interval", "0.3", "--log-level",
                "error",
            ]
                + extra)
        let port = try await process.port()
        return TestBlobber(directory: folder, key: key, process: process, url: "http://127.0.0.1:\(port)")
    }

    private init(directory: String, key: SigningKey, process: ServerProcess, url: String) {
        self.directory = directory
        self.key = key
        self.process = process
        self.url = url
    }
}

/// The allocation owner's side: signs requests and markers, and keeps its own copy of the tries so
/// every root it signs is computed independently of the blobber.
struct Owner {
    let key: SigningKey
    let allocation: AllocationID
    let blobber: TestBlobber
    var trie = AllocationTrie(kind: .allocation)
    var meta = AllocationTrie(kind: .fileMeta)
    var head = MarkerChainHead.genesis
    var previous: (trie: AllocationTrie, meta: AllocationTrie, size: Int64)?

    init(key: SigningKey, allocation: AllocationID, blobber: TestBlobber) {
        self.key = key
        self.allocation = allocation
        self.blobber = blobber
    }

    var base: String { "/v1/allocations/\(allocation.hex)" }

    /// A signed request. `body` nil with `streamed` sends UNSIGNED-PAYLOAD.
    func request(
        _ method: HTTPMethod, _ target: String, body: [UInt8]? = nil, streamed: Bool = false, time: Int64? = nil,
        signer: SigningKey? = nil, audience: BlobberID? = nil, headers: [(String, String)] = []
    ) async throws -> Reply {
        let auth = RequestAuth.sign(
            for: audience ?? blobber.id, method: method.rawValue, target: target, body: streamed ? nil : (body ?? []),
            timestamp: time ?? nowMillis(),
            key: signer ?? key)
        return try await call(method, blobber.url + target, body: body, headers: auth.headers + headers)
    }

    func upload(_ id: String, _ bytes: [UInt8], shardSize: Int? = nil, offset: Int = 0, signer: SigningKey? = nil)
        async throws -> Reply
    {
        try await request(
            .PUT, "\(base)/uploads/\(id)?offset=\(offset)", body: bytes, streamed: true, signer: signer,
            headers: [(UploadStatus.shardSizeHeader, "\(shardSize ?? bytes.count)")])
    }

    func state() async throws -> AllocationStateResponse {
        try await request(.GET, "\(base)/state").decode(AllocationStateResponse.self)
    }

    /// The marker for the owner's tries as they are now (after changes were applied to them).
    func marker(size: Int64, timestamp: Int64? = nil, signer: SigningKey? = nil) -> WriteMarker {
        let chainSize = UInt64(Int64(head.chainSize) + size)
        var marker = WriteMarker(
            allocationID: allocation, blobberID: blobber.id, clientID: key.publicKey.clientID,
            sequence: head.sequence + 1, allocationRoot: trie.root, previousAllocationRoot: head.allocationRoot,
            fileMetaRoot: meta.root, size: size, chainSize: chainSize,
            chainHash: WriteMarker.chainHash(previous: head.chainHash, root: trie.root),
            timestamp: timestamp ?? nowMillis())
        if let signer {
            marker.signature = signer.signature(over: marker.hash)
        } else {
            marker.sign(with: key)
        }
        return marker
    }

    /// Applies `changes` to the owner's tries, signs and sends the commit. On refusal the tries are restored.
    mutating func commit(
        _ changes: [CommitChange], tamper: (inout WriteMarker) -> Void = { _ in }, signer: SigningKey? = nil
    )
        async throws -> Reply
    {
        let saved = (trie, meta)
        let before = Int64(trie.totalBlocks) * 65536
        for change in changes {
            switch change {
            case .put(_, let entry): trie.set(entry); meta.set(entry)
            case .delete(let path): _ = trie.remove(path: path.string); _ = meta.remove(path: path.string)
            case .rename(let from, let entry):
                _ = trie.remove(path: from.string); _ = meta.remove(path: from.string)
                trie.set(entry); meta.set(entry)
            }
        }
        let size = Int64(trie.totalBlocks) * 65536 - before
        var marker = marker(size: size, signer: signer)
        tamper(&marker)
        let body = TransactionCoding.encode(CommitRequest(changes: changes, marker: marker))
        let reply = try await request(.POST, "\(base)/commit", body: body)
        if reply.status == 200 {
            previous = (saved.0, saved.1, size)
            head = marker.head
        } else {
            (trie, meta) = saved
        }
        return reply
    }

    /// Signs and sends a rollback to the state before the last commit (with no undo step: to the current state).
    mutating func rollback() async throws -> Reply {
        let previous = self.previous ?? (trie, meta, 0)
        let saved = (trie, meta)
        (trie, meta) = (previous.trie, previous.meta)
        let marker = marker(size: -previous.size)
        let reply = try await request(
            .POST, "\(base)/rollback", body: TransactionCoding.encode(RollbackRequest(marker: marker)))
        if reply.status == 200 {
            head = marker.head
            self.previous = nil
        } else {
            (trie, meta) = saved
        }
        return reply
    }
}

/// Deterministic shard bytes: `blocks` blocks of 64 KiB.
func shardBytes(_ blocks: Int, seed: UInt8) -> [UInt8] {
    (0..<(blocks * 65536)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &* 7 &+ ($0 >> 16)) }
}

func entry(_ path: String, _ bytes: [UInt8], createdAt: Int64 = 1) -> FileEntry {
    var builder = ShardTreeBuilder()
    builder.append(bytes)
    let tree = builder.finish()
    return FileEntry(
        path: path, size: Int64(bytes.count), contentHash: SHA256.hash(bytes), shardRoot: tree.root,
        blockCount: UInt64(tree.blockCount), createdAt: createdAt, updatedAt: createdAt)
}
