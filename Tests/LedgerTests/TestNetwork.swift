import Foundation
import Ledger
import Merkle
import StorageProtocol
import Synchronization
import TestProcesses
import Testing

/// An in-memory ledger with a manual clock, and helpers to build signed transactions and chains.
final class TestNetwork: Sendable {
    static let start: Int64 = 1_750_000_000_000
    /// 1 unit per byte: payments are easy to check by hand.
    static let bytePrice: UInt64 = 1 << 30

    let time: ManualTime
    let ledger: Ledger
    let ledgerKey: SigningKey
    private let nonce = Mutex<UInt64>(0)

    init(rules: LedgerRules = LedgerRules(faucet: true), database: LedgerDatabase? = nil) throws {
        time = ManualTime(TestNetwork.start)
        ledgerKey = try SigningKey(seed: SHA256.hash(Array("test ledger".utf8)).bytes)
        ledger = try Ledger(
            database: database ?? LedgerDatabase(), key: ledgerKey, rules: rules, clock: .manual(time))
    }

    init(ledger: Ledger, time: ManualTime, ledgerKey: SigningKey) throws {
        self.time = time
        self.ledger = ledger
        self.ledgerKey = ledgerKey
    }

    func nextNonce() -> UInt64 { nonce.withLock { $0 += 1; return $0 } }

    func transaction(_ kind: TransactionKind, _ payload: some Encodable, by key: SigningKey) -> LedgerTransaction {
        LedgerTransaction.make(kind, payload: payload, key: key, nonce: nextNonce(), timestamp: time.value)
    }

    @discardableResult
    func submit(_ kind: TransactionKind, _ payload: some Encodable, by key: SigningKey) async throws(LedgerError)
        -> TransactionReceipt
    {
        try await ledger.submit(transaction(kind, payload, by: key))
    }

    static func key(_ name: String) -> SigningKey {
        try! SigningKey(seed: SHA256.hash(Array(name.utf8)).bytes)
    }

    func fund(_ key: SigningKey, _ amount: UInt64) async throws {
        try await submit(.faucet, FaucetPayload(amount: amount), by: key)
    }

    /// Registers `count` blobbers, each funded with `stake` and staking it.
    func registerBlobbers(
        _ count: Int, capacity: UInt64 = 1 << 30, writePrice: UInt64 = bytePrice, stake: UInt64 = 1_000_000,
        prefix: String = "blobber"
    ) async throws -> [SigningKey] {
        var keys = [SigningKey]()
        for index in 0..<count {
            let key = TestNetwork.key("\(prefix)-\(index)")
            try await fund(key, stake)
            try await submit(
                .registerBlobber,
                RegisterBlobberPayload(
                    url: "http://127.0.0.1:\(9000 + index)", capacity: capacity, readPrice: 1, writePrice: writePrice,
                    region: "test", stake: stake), by: key)
            keys.append(key)
        }
        return keys
    }

    func createAllocation(
        owner: SigningKey, blobbers: [SigningKey], dataShards: Int, size: UInt64, writePool: UInt64,
        lifetime: Int64 = 3_600_000
    ) async throws -> AllocationID {
        let receipt = try await submit(
            .createAllocation,
            CreateAllocationPayload(
                dataShards: dataShards, parityShards: blobbers.count - dataShards, size: size,
                expiry: time.value + lifetime, blobbers: blobbers.map { $0.publicKey.blobberID },
                writePool: writePool), by: owner)
        return try #require(receipt.result.allocationID)
    }

    /// Markers continuing `head`, one per size delta, signed by `owner`.
    func chain(
        owner: SigningKey, allocation: AllocationID, blobber: SigningKey, from head: MarkerChainHead = .genesis,
        sizes: [Int64], tag: String = "root"
    ) -> [WriteMarker] {
        var head = head
        var markers = [WriteMarker]()
        for (index, size) in sizes.enumerated() {
            let root = SHA256.hash(Array("\(tag)-\(head.sequence + 1)-\(index)".utf8))
            let marker = WriteMarker(
                allocationID: allocation, blobberID: blobber.publicKey.blobberID, clientID: owner.publicKey.clientID,
                sequence: head.sequence + 1, allocationRoot: root, previousAllocationRoot: head.allocationRoot,
                fileMetaRoot: SHA256.hash(Array("meta-\(index)".utf8)), size: size,
                chainSize: UInt64(clamping: Int64(head.chainSize) + size),
                chainHash: WriteMarker.chainHash(previous: head.chainHash, root: root),
                timestamp: time.value
            ).signed(with: owner)
            markers.append(marker)
            head = marker.head
        }
        return markers
    }

    @discardableResult
    func submitChain(_ markers: [WriteMarker], allocation: AllocationID, by blobber: SigningKey) async throws(LedgerError)
        -> TransactionReceipt
    {
        try await submit(.submitChain, SubmitChainPayload(allocationID: allocation, markers: markers), by: blobber)
    }

    func head(_ allocation: AllocationID, _ blobber: SigningKey) async throws -> MarkerChainHead {
        let view = try await ledger.allocation(allocation)
        return try #require(view.blobbers.first { $0.blobberID == blobber.publicKey.blobberID }).head
    }

    func expectConserved() async throws {
        let totals = try await ledger.supplyTotals()
        #expect(totals.minted == totals.held, "supply not conserved: \(totals)")
    }
}

/// Expects `body` to throw a `LedgerError` with `code`, and the state to be unchanged afterwards.
func expectRefusal(
    _ code: String, in network: TestNetwork, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async throws {
    let before = try await network.ledger.stateDump()
    do {
        try await body()
        Issue.record("expected refusal \(code), but it was accepted", sourceLocation: sourceLocation)
    } catch let error as LedgerError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a LedgerError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    let after = try await network.ledger.stateDump()
    #expect(before == after, "state changed by a refused transaction", sourceLocation: sourceLocation)
}
