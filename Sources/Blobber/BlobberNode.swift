import CoreMetrics
import Foundation
public import LedgerAPI
public import Logging
import Merkle
public import StorageProtocol
import Synchronization

/// A running blobber's state: its key, database, shard store, the allocations it serves (loaded from
/// SQLite, or from the ledger the first time one is named) and the request replay guard.
public final class BlobberNode: Sendable {
    public let configuration: BlobberConfiguration
    public let key: SigningKey
    public let database: BlobberDatabase
    public let shards: ShardStore
    public let stager: UploadStager
    public let ledger: any LedgerAccess
    public let logger: Logger
    let replay: ReplayGuard
    /// When this process started (Unix ms): the replay guard lives in memory, so a request signed
    /// before it is refused rather than accepted a second time after a restart.
    let startedAt: Int64
    private let stores = Mutex<[AllocationID: AllocationStore]>([:])
    /// When each allocation's terms were last asked of the ledger (Unix ms), and the allocations the ledger
    /// says this blobber is no longer part of (replaced by another blobber).
    private let termsChecked = Mutex<(at: [AllocationID: Int64], left: Set<AllocationID>)>(([:], []))
    /// Terms are asked again after `configuration.termsRefresh`, or after this long (ms) when a request
    /// needs them newer: its allocation looks expired, or its upload does not fit the share.
    static let urgentTermsRefresh: Int64 = 2_000
    /// The URL registered on the ledger once known (after the server bound its port), and whether the
    /// ledger has this blobber.
    let registration = Mutex<(url: String?, done: Bool)>((nil, false))
    /// Capacity and prices as offered now: the configuration's at start, changed by `reloadTerms(from:)`.
    let offered: Mutex<BlobberTerms>

    /// Capacity and prices as offered now.
    public var terms: BlobberTerms { offered.withLock { $0 } }
    /// Revoked share tickets as the ledger lists them, asked again at most every 2 s per allocation.
    let revocations = RevocationCache(refresh: .seconds(2))

    public var blobberID: BlobberID { key.publicKey.blobberID }

    /// Opens (creating if needed) the data folder: key, database, and collects orphan shard files.
    /// `ledger` defaults to `HTTPLedger` at `configuration.ledgerURL`.
    public init(
        configuration: BlobberConfiguration, ledger: (any LedgerAccess)? = nil,
        logger: Logger = Logger(label: "blobber")
    ) throws {
        self.configuration = configuration
        self.logger = logger
        let directory = configuration.dataDirectory
        try ShardFile.makeDirectory(directory)
        key = try KeyFile.read(from: configuration.keyPath)
        database = try BlobberDatabase(path: directory + "/blobber.sqlite")
        shards = ShardStore(root: directory)
        stager = UploadStager(store: shards, maxReceiving: configuration.maxReceivingUploads)
        self.ledger = ledger ?? HTTPLedger(baseURL: configuration.ledgerURL)
        replay = ReplayGuard(window: Int64(configuration.requestWindow * 1000))
        startedAt = Self.now()
        offered = Mutex(BlobberTerms(configuration))
        BlobberMetrics.register()
        BlobberMetrics.markersPending.record(try database.pendingCount())
        try collectGarbage()
    }

    public static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Removes shard files no entry version refers to (left by a crash between rename and SQLite commit),
    /// and staged uploads older than the configured lifetime.
    public func collectGarbage() throws {
        for id in try database.allocationIDs() {
            let freed = shards.collect(id, keeping: try database.liveShardRoots(id))
            if freed > 0 {
                logger.info("collected orphan shards", metadata: ["allocation.id": "\(id)", "bytes": "\(freed)"])
            }
        }
        shards.collectStaging(olderThan: configuration.stagedUploadLifetime)
        BlobberMetrics.diskUsed.record(shards.diskUsed())
    }

    /// The allocation's store: from memory, SQLite, or the ledger.
    public func store(for id: AllocationID) async throws -> AllocationStore {
        if let store = stores.withLock({ $0[id] }) { return store }
        if try await database.allocation(id, blobber: blobberID) == nil {
            let ledger = self.ledger
            let known = try await askLedger { () async throws(LedgerAccessError) in try await ledger.allocation(id) }
            guard let view = known else { throw BlobberError.unknownAllocation(id) }
            guard view.blobbers.contains(where: { $0.blobberID == blobberID }) else {
                throw BlobberError.notABlobber(id)
            }
            let record = view.allocation
            // Sizes go into SQLite integers: terms beyond 2^63 bytes are an answer this blobber cannot use.
            guard record.size <= UInt64(Int64.max), record.shardSize <= UInt64(Int64.max) else {
                throw BlobberError.ledgerUnreachable("the ledger describes allocation \(id) with a size beyond 2^63 bytes")
            }
            try await database.insertAllocation(
                AllocationInfo(
                    id: id, blobberID: blobberID, ownerKey: record.ownerKey, dataShards: record.dataShards,
                    size: record.size, share: record.shardSize, createdAt: record.createdAt, expiry: record.expiry))
            termsChecked.withLock { $0.at[id] = Self.now() }
        }
        guard let (info, persisted) = try await database.allocation(id, blobber: blobberID) else {
            throw BlobberError.unknownAllocation(id)
        }
        let fresh = try await AllocationStore.open(info: info, persisted: persisted, database: database, stager: stager)
        return stores.withLock { stores in
            if let existing = stores[id] { return existing }
            stores[id] = fresh
            return fresh
        }
    }

    /// The store of an allocation a client request names, with terms no older than `termsRefresh` (or
    /// `urgentTermsRefresh` when `urgent`, or when the cached terms say it expired): an owner may have
    /// extended, grown, cancelled it or replaced this blobber since. A blobber the ledger no longer lists
    /// answers `allocation.not_a_blobber`.
    func servingStore(for id: AllocationID, urgent: Bool = false) async throws -> AllocationStore {
        let store = try await store(for: id)
        try await refreshTerms(of: store, urgent: urgent || Self.now() > store.info.expiry)
        return store
    }

    /// Asks the ledger for the allocation's terms when they are due and takes them. A ledger that does not
    /// answer leaves the terms as they were (the request is judged by them).
    func refreshTerms(of store: AllocationStore, urgent: Bool) async throws {
        let id = store.info.id
        let now = Self.now()
        let due = termsChecked.withLock { checked -> Bool in
            let age = now - (checked.at[id] ?? .min / 2)
            let refresh = Int64(configuration.termsRefresh * 1000)
            guard age >= (urgent ? min(refresh, Self.urgentTermsRefresh) : refresh) else { return false }
            checked.at[id] = now
            return true
        }
        if due {
            let ledger = self.ledger
            let view: AllocationView?
            do throws(LedgerAccessError) {
                view = try await ledger.allocation(id)
            } catch {
                logger.debug(
                    "allocation terms not refreshed", metadata: ["allocation.id": "\(id)", "reason": "\(error)"])
                view = nil
            }
            if let view {
                let member = view.blobbers.contains { $0.blobberID == blobberID }
                termsChecked.withLock { checked in
                    if member { checked.left.remove(id) } else { checked.left.insert(id) }
                }
                let record = view.allocation
                let old = store.info
                // Stored as SQLite integers: terms beyond Int64 are not terms this blobber can hold.
                let storable = record.size <= UInt64(Int64.max) && record.shardSize <= UInt64(Int64.max)
                if member, storable,
                    (record.size, record.shardSize, record.expiry) != (old.size, old.share, old.expiry)
                {
                    try await database.updateTerms(id, size: record.size, share: record.shardSize, expiry: record.expiry)
                    store.updateTerms(size: record.size, share: record.shardSize, expiry: record.expiry)
                    logger.info(
                        "allocation terms changed on the ledger",
                        metadata: [
                            "allocation.id": "\(id)", "size": "\(record.size)", "share": "\(record.shardSize)",
                            "expiry": "\(record.expiry)",
                        ])
                }
            }
        }
        if termsChecked.withLock({ $0.left.contains(id) }) { throw BlobberError.notABlobber(id) }
    }

    /// Registers this blobber on the ledger unless it already is. `url` is what clients use to reach it.
    /// On a test network (`configuration.faucet`), first tops the balance up to the stake from the
    /// ledger's faucet.
    public func registerIfNeeded(url: String) async throws {
        registration.withLock { $0.url = url }
        let (ledger, blobberID, key) = (self.ledger, self.blobberID, self.key)
        if try await askLedger({ () async throws(LedgerAccessError) in try await ledger.blobber(blobberID) }) != nil {
            registration.withLock { $0.done = true }
            return
        }
        if configuration.faucet {
            let balance = try await askLedger { () async throws(LedgerAccessError) in
                try await ledger.balance(of: key.id)
            }
            if balance < configuration.stake {
                let faucet = LedgerTransaction.make(
                    .faucet, payload: FaucetPayload(amount: configuration.stake - balance), key: key,
                    nonce: UInt64.random(in: 0...UInt64.max), timestamp: Self.now())
                do throws(LedgerAccessError) {
                    _ = try await ledger.submit(faucet)
                } catch .refused(_, let error) {
                    throw BlobberError.registrationRefused(
                        code: error.code, message: "the faucet refused the stake: \(error.message)", hint: "")
                } catch {
                    throw BlobberError(ledger: error)
                }
            }
        }
        let terms = self.terms
        let payload = RegisterBlobberPayload(
            url: url, capacity: terms.capacity, readPrice: terms.readPrice, writePrice: terms.writePrice,
            region: configuration.region, stake: configuration.stake)
        let transaction = LedgerTransaction.make(
            .registerBlobber, payload: payload, key: key, nonce: UInt64.random(in: 0...UInt64.max),
            timestamp: Self.now())
        do throws(LedgerAccessError) {
            _ = try await ledger.submit(transaction)
            registration.withLock { $0.done = true }
            logger.info("registered on the ledger", metadata: ["blobber.id": "\(blobberID)", "blobber.url": "\(url)"])
        } catch .refused(_, let error) where error.code == "ledger.already_registered" {
            registration.withLock { $0.done = true }
        } catch .refused(_, let error) {
            let hint =
                error.code == "ledger.insufficient_funds"
                ? "the blobber's account \(key.id.hex) must hold the stake of \(configuration.stake) units: send it "
                    + "tokens, or lower `stake` in the configuration" : ""
            throw BlobberError.registrationRefused(code: error.code, message: error.message, hint: hint)
        } catch {
            throw BlobberError(ledger: error)
        }
    }

    /// Checks the request's time, its signature for this blobber, and that it is used once: before
    /// anything else about the request is looked up (no ledger question, no disk work for a forgery).
    /// A request signed before this process started cannot be told from a replay and is refused.
    func authenticate(_ auth: RequestAuth, method: String, target: String) throws(RequestAuthError) {
        let now = Self.now()
        try auth.verify(
            audience: blobberID, method: method, target: target, now: now,
            window: Int64(configuration.requestWindow * 1000))
        guard auth.timestamp >= startedAt, replay.firstUse(of: auth, now: now) else { throw .replayed }
    }

    /// Checks that the signer of an authenticated request may act on `allocation`: the owner, or
    /// (`readPath` given) the holder of a share ticket covering it. Answers the ticket's hash for a
    /// reader, nil for the owner.
    @discardableResult
    func authorize(_ auth: RequestAuth, info: AllocationInfo, readPath: String?, ticket: String?) throws -> Hash? {
        let now = Self.now()
        guard now <= info.expiry else { throw BlobberError.expiredAllocation(info.id, expiry: info.expiry) }
        if auth.publicKey == info.ownerKey { return nil }
        guard let readPath, let ticket else { throw RequestAuthError.notOwner }
        guard let bytes = Hex.decode(ticket),
            let decoded = try? JSONDecoder().decode(ShareTicket.self, from: Data(bytes))
        else { throw RequestAuthError.badTicket(reason: "x-blob-ticket is not hex of a ticket's JSON") }
        try decoded.verify(
            owner: info.ownerKey, allocation: info.id, reader: auth.publicKey.clientID, requested: readPath, now: now)
        return decoded.hash
    }

    /// Refuses a ticket the ledger lists as revoked (`auth.bad_ticket`, reason "revoked").
    func checkNotRevoked(_ ticket: Hash, allocation: AllocationID) async throws(RequestAuthError) {
        let ledger = self.ledger
        let logger = self.logger
        let revoked = await revocations.isRevoked(ticket, allocation: allocation) { () async -> [Hash]? in
            do throws(LedgerAccessError) {
                return try await ledger.revokedTickets(of: allocation)
            } catch {
                logger.debug(
                    "revoked tickets not refreshed", metadata: ["allocation.id": "\(allocation)", "error": "\(error)"])
                return nil
            }
        }
        if revoked { throw .badTicket(reason: "revoked") }
    }
}
