public import Foundation
#if canImport(Glibc)
    import Glibc
#endif
public import StorageProtocol
import Merkle

/// Where the wallet and settings live: `--home`, else `$BLOB_HOME`, else `~/.blob`.
///
/// ```
/// HOME/wallet.json                 the owner key (KeyFile, mode 0600)
/// HOME/config.json                 {"ledger_url": ..., "default_allocation": ...}
/// HOME/allocations/ID.json         the last write marker this wallet signed per blobber
/// HOME/uploads/ID.json             large uploads not yet committed, to resume (UploadJournal)
/// ```
public struct ClientHome: Sendable {
    public let path: String

    public static let environmentVariable = "BLOB_HOME"

    public init(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let explicit, !explicit.isEmpty {
            path = explicit
        } else if let fromEnvironment = environment[Self.environmentVariable], !fromEnvironment.isEmpty {
            path = fromEnvironment
        } else {
            path = (environment["HOME"] ?? NSHomeDirectory()) + "/.blob"
        }
    }

    public var walletPath: String { path + "/wallet.json" }
    public var settingsPath: String { path + "/config.json" }
    func markersPath(_ allocation: AllocationID) -> String { path + "/allocations/\(allocation.hex).json" }

    /// Creates the folder (mode 0700) if needed.
    public func ensureExists() throws(ClientError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path + "/allocations", withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw .localFile(path: path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
    }

    /// Creates a new wallet; refuses to replace one.
    public func createWallet() throws(ClientError) -> SigningKey {
        try ensureExists()
        let key = SigningKey.generate()
        do {
            try KeyFile.write(key, to: walletPath)
        } catch KeyError.keyFileExists {
            throw .walletExists(path: walletPath)
        } catch {
            throw .keyFile(error)
        }
        return key
    }

    public func loadWallet() throws(ClientError) -> SigningKey {
        guard FileManager.default.fileExists(atPath: walletPath) else { throw .noWallet(home: path) }
        do {
            return try KeyFile.read(from: walletPath)
        } catch {
            throw .keyFile(error)
        }
    }

    public func loadSettings() throws(ClientError) -> ClientSettings {
        guard let data = FileManager.default.contents(atPath: settingsPath) else { return ClientSettings() }
        do {
            return try JSONDecoder().decode(ClientSettings.self, from: data)
        } catch {
            throw .settingsMalformed(path: settingsPath, reason: "\(error)")
        }
    }

    public func saveSettings(_ settings: ClientSettings) throws(ClientError) {
        try ensureExists()
        try Self.writeAtomically(settings, to: settingsPath)
    }

    /// The markers this wallet last signed for `allocation`, per blobber.
    func loadMarkers(_ allocation: AllocationID) throws(ClientError) -> SignedMarkers {
        let path = markersPath(allocation)
        guard let data = FileManager.default.contents(atPath: path) else { return SignedMarkers() }
        do {
            return try JSONDecoder().decode(SignedMarkers.self, from: data)
        } catch {
            throw .settingsMalformed(path: path, reason: "\(error)")
        }
    }

    func saveMarkers(_ markers: SignedMarkers, for allocation: AllocationID) throws(ClientError) {
        try ensureExists()
        try Self.writeAtomically(markers, to: markersPath(allocation))
    }

    /// Write to a temporary file, fsync, rename: a crash leaves the old or the new file, never half of one.
    /// Creates the file's folder if needed.
    static func writeAtomically(_ value: some Encodable, to target: String) throws(ClientError) {
        let folder = (target as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .localFile(path: folder, reason: "cannot create: \(error.localizedDescription)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw .localFile(path: target, reason: "cannot encode: \(error)")
        }
        // A temporary name of its own per writer (pid and random), so two processes writing the same
        // record never rename each other's half-written file or find theirs gone.
        let temporary = target + ".tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .localFile(path: temporary, reason: "cannot create: \(String(cString: strerror(errno)))")
        }
        var failure: String?
        data.withUnsafeBytes { bytes in
            var written = 0
            while written < bytes.count {
                let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write: \(String(cString: strerror(errno)))"
                    return
                }
                written += result
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = "cannot sync: \(String(cString: strerror(errno)))" }
        close(descriptor)
        if failure == nil, rename(temporary, target) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .localFile(path: target, reason: failure)
        }
        // The rename itself is durable once the folder is synced.
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            _ = fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }
}

/// `HOME/config.json`.
public struct ClientSettings: Codable, Sendable, Equatable {
    public var ledgerURL: String?
    public var defaultAllocation: AllocationID?
    /// Allocations this wallet created, oldest first (the ledger has no index by owner).
    public var allocations: [AllocationID]

    public init(ledgerURL: String? = nil, defaultAllocation: AllocationID? = nil, allocations: [AllocationID] = []) {
        self.ledgerURL = ledgerURL
        self.defaultAllocation = defaultAllocation
        self.allocations = allocations
    }

    enum CodingKeys: String, CodingKey {
        case ledgerURL = "ledger_url"
        case defaultAllocation = "default_allocation"
        case allocations
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ledgerURL = try container.decodeIfPresent(String.self, forKey: .ledgerURL)
        defaultAllocation = try container.decodeIfPresent(AllocationID.self, forKey: .defaultAllocation)
        allocations = try container.decodeIfPresent([AllocationID].self, forKey: .allocations) ?? []
    }
}

/// The last marker the owner signed for each blobber of one allocation: what proofs and reads are
/// checked against (a blobber can only show a root this wallet signed).
///
/// `previous` keeps, per blobber, the marker recorded before the current one: the state a blobber's
/// one step of undo goes back to, which repair needs to sign that rollback (docs/PROTOCOL.md 10.8).
struct SignedMarkers: Codable, Sendable, Equatable {
    var markers: [String: WriteMarker] = [:]
    var previous: [String: WriteMarker] = [:]

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        markers = try container.decode([String: WriteMarker].self, forKey: .markers)
        previous = try container.decodeIfPresent([String: WriteMarker].self, forKey: .previous) ?? [:]
    }

    subscript(blobber: BlobberID) -> WriteMarker? {
        get { markers[blobber.hex] }
        set {
            if let old = markers[blobber.hex], old != newValue { previous[blobber.hex] = old }
            markers[blobber.hex] = newValue
        }
    }

    /// The state `marker` directly follows on `blobber`: genesis for a first marker, else the recorded
    /// marker before it (sequence one less, its root the previous root), if the record holds it.
    func head(before marker: WriteMarker, blobber: BlobberID) -> BlobberHead? {
        if marker.sequence == 1, marker.previousAllocationRoot == .zero { return .empty }
        return self.marker(before: marker, blobber: blobber).map {
            BlobberHead(
                sequence: $0.sequence, allocationRoot: $0.allocationRoot, fileMetaRoot: $0.fileMetaRoot,
                chainHash: $0.chainHash, chainSize: $0.chainSize, timestamp: $0.timestamp)
        }
    }

    /// The recorded marker that `marker` directly follows on `blobber` (sequence one less, its root the
    /// previous root), if the record holds it.
    func marker(before marker: WriteMarker, blobber: BlobberID) -> WriteMarker? {
        [markers[blobber.hex], previous[blobber.hex]].compactMap { $0 }.first {
            $0.sequence < marker.sequence && marker.sequence - $0.sequence == 1
                && $0.allocationRoot == marker.previousAllocationRoot
        }
    }
}
