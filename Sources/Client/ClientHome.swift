public import Foundation
#if canImport(Glibc)
    import Glibc
#endif
public import StorageProtocol

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
        do {
            let data = try encoder.encode(value)
            let temporary = target + ".tmp"
            FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, target) == 0 else {
                throw ClientError.localFile(path: target, reason: String(cString: strerror(errno)))
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw .localFile(path: target, reason: "cannot write: \(error.localizedDescription)")
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
struct SignedMarkers: Codable, Sendable, Equatable {
    var markers: [String: WriteMarker] = [:]

    subscript(blobber: BlobberID) -> WriteMarker? {
        get { markers[blobber.hex] }
        set { markers[blobber.hex] = newValue }
    }
}
