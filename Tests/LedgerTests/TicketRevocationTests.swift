import Foundation
import Ledger
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// `revoke_ticket` (docs/PROTOCOL.md 7.2): only the owner of a live allocation revokes, once; it moves
/// no money, the ledger lists it, and `ledger verify` replays it.
@Suite struct TicketRevocationTests {
    @Test func theOwnerRevokesOnceAndTheLogReplays() async throws {
        let setup = try await AllocationUpdateTests.Setup()
        defer { try? FileManager.default.removeItem(atPath: setup.directory) }
        let network = setup.network
        let ticket = SHA256.hash(Array("ticket".utf8))
        let payload = RevokeTicketPayload(allocationID: setup.allocation, ticketHash: ticket)
        let stranger = TestNetwork.key("stranger")
        try await network.fund(stranger, 1_000)
        try await expectRefusal("ledger.not_owner", in: network) {
            try await network.submit(.revokeTicket, payload, by: stranger)
        }
        try await expectRefusal("ledger.unknown_allocation", in: network) {
            try await network.submit(
                .revokeTicket,
                RevokeTicketPayload(allocationID: AllocationID(SHA256.hash(Array("nowhere".utf8))), ticketHash: ticket),
                by: setup.owner)
        }
        #expect(try await network.ledger.revokedTickets(of: setup.allocation).revoked.isEmpty)
        let balance = try await network.ledger.balance(of: setup.owner.id)
        let receipt = try await network.submit(.revokeTicket, payload, by: setup.owner)
        #expect(receipt.result.allocationID == setup.allocation)
        #expect(try await network.ledger.balance(of: setup.owner.id) == balance)
        #expect(try await network.ledger.revokedTickets(of: setup.allocation).revoked == [ticket])
        try await expectRefusal("ledger.ticket_revoked", in: network) {
            try await network.submit(.revokeTicket, payload, by: setup.owner)
        }
        // Through the in-process `LedgerAccess` the blobbers use: the list, and nil for an unknown allocation.
        let access = InProcessLedger(network.ledger)
        #expect(try await access.revokedTickets(of: setup.allocation) == [ticket])
        #expect(try await access.revokedTickets(of: AllocationID(SHA256.hash(Array("nowhere".utf8)))) == nil)
        try await setup.verify()
    }
}
