import Foundation
public import Merkle
public import StorageProtocol

/// The tickets this wallet made, kept in `shares.json` of the wallet's home when `blob share` runs
/// (docs/PROTOCOL.md section 10.7), so the owner can list and revoke them.
public struct ShareRecord: Codable, Sendable, Equatable {
    public var ticketHash: Hash
    public var allocationID: AllocationID
    public var path: String
    public var recipientID: ClientID
    public var expiry: Int64
    public var createdAt: Int64
    /// A public link (`blob share --public`) rather than a ticket for a named reader.
    public var link: Bool?

    public init(_ ticket: ShareTicket, createdAt: Int64, link: Bool = false) {
        ticketHash = ticket.hash
        allocationID = ticket.allocationID
        path = ticket.path
        recipientID = ticket.recipientID
        expiry = ticket.expiry
        self.createdAt = createdAt
        self.link = link ? true : nil
    }

    enum CodingKeys: String, CodingKey {
        case ticketHash = "ticket_hash"
        case allocationID = "allocation_id"
        case path
        case recipientID = "recipient_id"
        case expiry
        case createdAt = "created_at"
        case link
    }

    /// A ticket's state for `blob share --list`.
    public enum State: String, Codable, Sendable {
        case active, expired, revoked
    }
}

/// The wallet's `shares.json`.
public struct ShareBook: Sendable {
    public let home: ClientHome

    public init(home: ClientHome) {
        self.home = home
    }

    var path: String { home.path + "/shares.json" }

    public func load() throws(ClientError) -> [ShareRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        do {
            return try JSONDecoder().decode([ShareRecord].self, from: data)
        } catch {
            throw .settingsMalformed(path: path, reason: "\(error)")
        }
    }

    public func add(_ record: ShareRecord) throws(ClientError) {
        var records = try load()
        records.removeAll { $0.ticketHash == record.ticketHash }
        records.append(record)
        try home.ensureExists()
        try ClientHome.writeAtomically(records, to: path)
    }

    /// The one ticket whose hash is `id` or starts with it (at least 6 hex digits).
    public func find(_ id: String) throws(ClientError) -> ShareRecord {
        let prefix = id.lowercased()
        guard prefix.count >= 6, prefix.count <= 64, prefix.allSatisfy(\.isHexDigit) else {
            throw .invalidArgument("a ticket id is its hash or at least 6 hex digits of it")
        }
        let matches = try load().filter { $0.ticketHash.hex.hasPrefix(prefix) }
        guard matches.count == 1 else {
            throw .invalidArgument(
                matches.isEmpty
                    ? "no ticket made by this wallet starts with \(prefix) (`blob share --list`)"
                    : "\(matches.count) tickets start with \(prefix): give more digits")
        }
        return matches[0]
    }

    /// Every ticket with its state: revoked when the ledger lists it, else expired or active.
    public func states(ledger: LedgerClient, now: Int64) async throws(ClientError)
        -> [(record: ShareRecord, state: ShareRecord.State)]
    {
        let records = try load()
        var revoked: [AllocationID: Set<Hash>] = [:]
        for id in Set(records.map(\.allocationID)) {
            revoked[id] = Set(try await ledger.revokedTickets(of: id))
        }
        return records.sorted { $0.createdAt < $1.createdAt }.map { record in
            let state: ShareRecord.State =
                revoked[record.allocationID]?.contains(record.ticketHash) == true
                ? .revoked : (now > record.expiry ? .expired : .active)
            return (record, state)
        }
    }

    /// Records on the ledger that `record`'s ticket is revoked (`revoke_ticket`, signed by `owner`).
    public func revoke(_ record: ShareRecord, ledger: LedgerClient, owner: SigningKey) async throws(ClientError)
        -> TransactionReceipt
    {
        try await ledger.submit(
            .revokeTicket, RevokeTicketPayload(allocationID: record.allocationID, ticketHash: record.ticketHash),
            key: owner)
    }
}
