public import Erasure
import Foundation
public import StorageProtocol

extension ErasureError: CodedError {}

/// One allocation opened for work: its terms, its blobbers in shard order, the coder and the signer.
public struct AllocationSession: Sendable {
    public let view: AllocationView
    public let blobbers: [BlobberClient]
    public let signer: SigningKey
    public let coder: ErasureCoder
    let home: ClientHome
    /// Each blobber's region as registered on the ledger, by blobber id (hex); empty for a view cached
    /// before regions were kept.
    public internal(set) var regions: [String: String] = [:]
    /// How long a write waits for another writer of this allocation sharing the wallet folder
    /// (`client.allocation_busy` after that).
    public var writeLockWait: Duration = .seconds(120)

    public var id: AllocationID { view.allocation.id }
    public var dataShards: Int { view.allocation.dataShards }
    public var isOwner: Bool { signer.publicKey.clientID == view.allocation.ownerID }

    /// Reads the allocation and its blobbers' addresses from the ledger; when the ledger cannot be
    /// reached, from the copy kept at the last successful open (so uploads go on through a ledger outage).
    public static func open(
        _ id: AllocationID, ledger: LedgerClient, signer: SigningKey, home: ClientHome, ticket: ShareTicket? = nil,
        transport: HTTPTransport = HTTPTransport()
    ) async throws(ClientError) -> AllocationSession {
        let cachePath = home.path + "/allocations/\(id.hex).view.json"
        let cached: CachedView
        do {
            let view = try await ledger.allocation(id)
            let records = try await ledger.blobbers()
            let urls = Dictionary(records.map { ($0.id.hex, $0.url) }, uniquingKeysWith: { a, _ in a })
            let regions = Dictionary(records.map { ($0.id.hex, $0.region) }, uniquingKeysWith: { a, _ in a })
            cached = CachedView(view: view, urls: urls, regions: regions)
            if (try? home.ensureExists()) != nil {
                try? JSONEncoder().encode(cached).write(to: URL(fileURLWithPath: cachePath), options: .atomic)
            }
        } catch .ledgerUnreachable(let url, let reason) {
            guard let data = FileManager.default.contents(atPath: cachePath),
                let saved = try? JSONDecoder().decode(CachedView.self, from: data)
            else { throw .ledgerUnreachable(url: url, reason: reason) }
            cached = saved
        }
        let ordered = cached.view.blobbers.sorted { $0.shardIndex < $1.shardIndex }
        let clients = try ordered.map { place throws(ClientError) in
            guard let url = cached.urls[place.blobberID.hex] else {
                throw .invalidArgument("blobber \(place.blobberID.short) of the allocation is not registered")
            }
            var client = BlobberClient(
                blobberID: place.blobberID, baseURL: url, allocation: id, signer: signer, ticket: ticket,
                transport: transport)
            client.shardIndex = place.shardIndex
            return client
        }
        let coder: ErasureCoder
        do {
            coder = try ErasureCoder(
                dataShards: cached.view.allocation.dataShards, parityShards: cached.view.allocation.parityShards)
        } catch {
            throw .invalidArgument("the allocation's shape is invalid: \(error)")
        }
        var session = AllocationSession(view: cached.view, blobbers: clients, signer: signer, coder: coder, home: home)
        session.regions = cached.regions ?? [:]
        return session
    }

    /// How messages name the blobber `id` of this allocation (`BlobberClient.label`); the id prefix
    /// alone for a blobber that is not one of its.
    public func label(of id: String) -> String {
        blobbers.first { $0.blobberID.hex == id }?.label ?? String(id.prefix(8))
    }

    /// Failures by shard index as one line each: `#2 3fa9c1d0 http://…: why`.
    func describe(_ failures: [(index: Int, reason: String)]) -> [String] {
        failures.map { "\(blobbers.indices.contains($0.index) ? blobbers[$0.index].label : "#\($0.index)"): \($0.reason)" }
    }

    /// Throws unless this wallet may write now: it owns the allocation and the allocation has not expired.
    func checkWritable() throws(ClientError) {
        guard isOwner else { throw .notOwner(allocation: id) }
        guard view.allocation.expiry > Clock.nowMillis else {
            throw .allocationExpired(allocation: id, expiry: view.allocation.expiry)
        }
    }

    /// The blobber's share: `ceil(size / data_shards)`.
    public var capacity: UInt64 { view.allocation.shardSize }

    var planner: CommitPlanner { CommitPlanner(owner: signer, allocation: id, capacity: capacity) }

    struct CachedView: Codable {
        var view: AllocationView
        var urls: [String: String]
        var regions: [String: String]?
    }
}
