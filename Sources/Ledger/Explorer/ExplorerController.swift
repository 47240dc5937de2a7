import Foundation
import Hummingbird
import Merkle
import Mustache
import NIOCore
import StorageProtocol

/// `GET /explorer…`: the ledger as server-rendered HTML pages (docs/PROTOCOL.md section 7.7): the latest
/// blocks with their transactions and the supply equation, a block, a transaction, the allocations and
/// one allocation with each blobber's head and pools, the blobbers, the challenges with their outcome.
/// Read-only, built from the same queries as the JSON API.
struct ExplorerController<Context: RequestContext>: Sendable {
    let ledger: Ledger
    /// Blocks shown on the first page, transactions shown per block there and on a block's own page
    /// (a block of chain submissions can hold thousands; the rest is counted and linked).
    static var recentBlocks: Int { 20 }
    static var perBlock: Int { 25 }
    static var perBlockPage: Int { 1000 }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get { _, _ in try await page("Ledger", "overview") { try await overview() } }
        group.get("blocks/:height") { _, context in
            try await page("Block \(context.parameters.get("height") ?? "")", "block") {
                try await block(try context.parameters.heightParameter())
            }
        }
        group.get("transactions/:hash") { _, context in
            try await page("Transaction", "transaction") {
                try await transaction(try context.parameters.hashParameter("hash"))
            }
        }
        group.get("allocations") { request, _ in
            try await page("Allocations", "allocations") {
                var after: AllocationID? = nil
                if let text = request.uri.queryParameters.get("after") {
                    guard let id = AllocationID(hex: text) else {
                        throw LedgerError.transaction(.malformed(reason: "after must be 64 hex digits"))
                    }
                    after = id
                }
                let page = try await ledger.allocations(owner: nil, after: after, limit: AllocationPage.defaultLimit)
                return ["allocations": page.allocations.map(Self.row), "next": page.next?.hex as Any]
            }
        }
        group.get("allocations/:id") { _, context in
            try await page("Allocation", "allocation") {
                try await allocation(AllocationID(try context.parameters.hashParameter("id")))
            }
        }
        group.get("blobbers") { _, _ in
            try await page("Blobbers", "blobbers") {
                ["blobbers": try await ledger.blobbers().map(Self.row)]
            }
        }
        group.get("challenges") { _, _ in
            try await page("Challenges", "challenges") {
                ["challenges": try await ledger.challenges().reversed().map(Self.row)]
            }
        }
    }

    /// Renders `template` with what `load` returns inside the layout; a ledger error becomes an HTML page
    /// with its status and code.
    private func page(
        _ title: String, _ template: String, _ load: () async throws -> [String: Any]
    ) async throws -> Response {
        var status = HTTPResponse.Status.ok
        var title = title
        var body: String
        do {
            body = Self.render(try await load(), template)
        } catch let error as LedgerError {
            status = error.status
            title = "Not shown"
            body = Self.render(["code": error.code, "message": error.description], "error")
        }
        let html = Self.render(["title": title, "body": body], "layout")
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    private static func render(_ object: [String: Any], _ template: String) -> String {
        ExplorerTemplates.library.render(object, withTemplate: template) ?? ""
    }

    // MARK: Pages

    private func overview() async throws -> [String: Any] {
        let info = try await ledger.info()
        let supply = try await ledger.supplyTotals()
        var blocks: [[String: Any]] = []
        for block in try await ledger.recentBlocks(limit: Self.recentBlocks) {
            let shown = try await ledger.transactions(inBlock: block.height, limit: Self.perBlock)
            blocks.append(Self.row(block, transactions: shown))
        }
        return [
            "height": info.height, "publicKey": info.publicKey.hex,
            "faucet": info.genesis.rules.faucet ? "on (test network)" : "off",
            "supply": [
                "minted": supply.minted, "balances": supply.balances, "writePools": supply.writePools,
                "challengePools": supply.challengePools, "stakes": supply.stakes, "held": supply.held,
                "conserved": supply.minted == supply.held,
            ] as [String: Any],
            "blocks": blocks,
        ]
    }

    private func block(_ height: UInt64) async throws -> [String: Any] {
        let block = try await ledger.block(height: height)
        var row = Self.row(block, transactions: try await ledger.transactions(inBlock: height, limit: Self.perBlockPage))
        row["previous"] = height > 0 ? "\(height - 1)" : nil
        row["previousHash"] = block.previousHash.hex
        row["txRoot"] = block.txRoot.hex
        row["stateRoot"] = block.stateRoot.hex
        row["signature"] = block.signature.hex
        return row
    }

    private func transaction(_ hash: Hash) async throws -> [String: Any] {
        let view = try await ledger.transaction(hash)
        let tx = view.transaction
        return [
            "hash": hash.hex, "kind": tx.kind.rawValue, "block": view.receipt.block,
            "status": view.receipt.status.rawValue, "publicKey": tx.publicKey.hex, "nonce": tx.nonce,
            "time": Self.time(tx.timestamp), "appliedAt": Self.time(view.appliedAt),
            "allocation": Self.allocationID(of: tx)?.hex as Any,
            "payload": Self.pretty(Data(tx.payload.utf8)),
            "result": Self.pretty(Data(TransactionCoding.encode(view.receipt.result))),
        ]
    }

    private func allocation(_ id: AllocationID) async throws -> [String: Any] {
        let view = try await ledger.allocation(id)
        var row = Self.row(view.allocation)
        row["shardSize"] = view.allocation.shardSize
        row["created"] = Self.time(view.allocation.createdAt)
        row["blobbers"] = view.blobbers.sorted { $0.shardIndex < $1.shardIndex }.map { place -> [String: Any] in
            [
                "shard": place.shardIndex, "blobber": place.blobberID.hex, "sequence": place.head.sequence,
                "root": place.head.allocationRoot.hex, "chainSize": place.head.chainSize, "paid": place.paid,
                "challengePool": place.challengePool, "writePrice": place.writePrice,
            ]
        }
        row["challenges"] = try await ledger.challenges().filter { $0.allocationID == id }.reversed().map(Self.row)
        return row
    }

    // MARK: Rows

    /// A block with the first of its transactions; `more` counts the rest.
    private static func row(_ block: Block, transactions: [TransactionView]) -> [String: Any] {
        let more = Int(block.txCount) - transactions.count
        return [
            "height": block.height, "hash": block.hash.hex, "time": time(block.timestamp), "txCount": block.txCount,
            "more": more > 0 ? "\(more)" : nil as String? as Any,
            "transactions": transactions.map { view -> [String: Any] in
                let tx = view.transaction
                let hash = tx.hash
                var summary = view.receipt.status.rawValue
                if let allocation = allocationID(of: tx) { summary += " · allocation \(allocation.hex.prefix(12))" }
                return [
                    "kind": tx.kind.rawValue, "hash": hash.hex, "short": String(hash.hex.prefix(16)),
                    "sender": String(tx.sender.hex.prefix(16)), "summary": summary,
                ]
            },
        ]
    }

    private static func row(_ allocation: AllocationRecord) -> [String: Any] {
        [
            "id": allocation.id.hex, "owner": allocation.ownerID.hex,
            "shards": "\(allocation.dataShards) + \(allocation.parityShards)", "size": allocation.size,
            "expiry": time(allocation.expiry), "writePool": allocation.writePool,
            "state": allocation.finalized ? "finalized" : "active",
        ]
    }

    private static func row(_ blobber: BlobberRecord) -> [String: Any] {
        [
            "id": blobber.id.hex, "url": blobber.url, "region": blobber.region, "capacity": blobber.capacity,
            "used": blobber.used, "writePrice": blobber.writePrice, "readPrice": blobber.readPrice,
            "stake": blobber.stake, "registered": time(blobber.registeredAt),
        ]
    }

    private static func row(_ challenge: ChallengeRecord) -> [String: Any] {
        [
            "id": String(challenge.id.hex.prefix(16)), "allocation": challenge.allocationID.hex,
            "allocationShort": String(challenge.allocationID.hex.prefix(16)),
            "blobber": String(challenge.blobberID.hex.prefix(16)), "issued": time(challenge.issuedAt),
            "deadline": time(challenge.deadline), "status": challenge.status.rawValue,
        ]
    }

    /// The allocation a transaction is about: its own hash for `create_allocation`, else the payload's
    /// `allocation_id` when it has one.
    private static func allocationID(of tx: LedgerTransaction) -> AllocationID? {
        if tx.kind == .createAllocation { return AllocationID(tx.hash) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(tx.payload.utf8)) as? [String: Any],
            let text = object["allocation_id"] as? String
        else { return nil }
        return AllocationID(hex: text)
    }

    /// Unix ms as UTC text; the genesis head's −2^63 and other out-of-range values as "—".
    static func time(_ millis: Int64) -> String {
        guard millis > 0, millis < 253_402_300_800_000 else { return "—" }
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) UTC"
    }

    /// JSON pretty-printed for reading, at most 64 KiB of it.
    private static func pretty(_ data: Data) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: data),
            let text = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        else { return String(decoding: data.prefix(65536), as: UTF8.self) }
        let shown = text.prefix(65536)
        return String(decoding: shown, as: UTF8.self) + (shown.count < text.count ? "\n…" : "")
    }
}
