import Foundation
import Ledger
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// `peg` (docs/PROTOCOL.md 7.2): anyone records a hash and a uri; the log is the record, read back by
/// the txid; it moves no money and writes no state row; a bad uri is refused and changes nothing; and
/// `ledger verify` replays it.
@Suite struct PegTests {
    @Test func pegsAreRecordedRefusedStrictlyAndReplayed() async throws {
        let setup = try await AllocationUpdateTests.Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        let network = setup.network
        // A key that never held anything may peg: there is no fee.
        let gateway = TestNetwork.key("gateway")
        let value = SHA256.hash(Array("a value".utf8))
        let uri = "blobnet://\(setup.allocation.hex)/.kv/readings/today"
        let before = try await network.ledger.stateDump().filter { $0.key != "transactions" }
        let receipt = try await network.submit(.peg, PegPayload(hash: value, uri: uri), by: gateway)
        #expect(receipt.status == .applied && receipt.result == TransactionResult())
        let after = try await network.ledger.stateDump().filter { $0.key != "transactions" }
        #expect(after == before, "a peg writes no state row besides its own in the log")
        let view = try await network.ledger.transaction(receipt.hash)
        #expect(view.transaction.kind == .peg && view.transaction.publicKey == gateway.publicKey)
        #expect(try view.transaction.decodePayload(as: PegPayload.self) == PegPayload(hash: value, uri: uri))
        // Through `LedgerAccess`: the same view, nil for an unknown txid.
        let access = InProcessLedger(network.ledger)
        #expect(try await access.transaction(receipt.hash) == view)
        #expect(try await access.transaction(SHA256.hash(Array("nothing".utf8))) == nil)
        // The same peg again (another nonce) is another transaction.
        let again = try await network.submit(.peg, PegPayload(hash: value, uri: uri), by: gateway)
        #expect(again.hash != receipt.hash)

        for bad in ["", String(repeating: "x", count: PegPayload.maxURIBytes + 1), "nul\u{0}inside"] {
            try await expectRefusal("ledger.invalid_peg", in: network) {
                try await network.submit(.peg, PegPayload(hash: value, uri: bad), by: gateway)
            }
        }
        try await expectRefusal("tx.malformed", in: network) {
            try await network.submit(.peg, ["hash": value.hex.uppercased(), "uri": uri], by: gateway)
        }
        try await expectRefusal("tx.malformed", in: network) {
            try await network.submit(.peg, ["uri": uri], by: gateway)
        }
        try await setup.verify()
    }
}
