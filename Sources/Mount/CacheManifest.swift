import Foundation

/// What the cache folder must remember across a crash: the changes not yet committed. Written
/// atomically (a temporary file renamed over `manifest.json`) whenever the set of changes does.
///
/// - `changed`: files whose content is only in the cache (`dirty`, in `cache`) or that moved from
///   the remote path `origin` without being committed yet.
/// - `removed`: remote paths of the last committed state that no file holds any more.
/// - `directories`: directories made here that no file implies (the network keeps no directories).
struct CacheManifest: Codable, Equatable {
    struct Change: Codable, Equatable {
        var path: String
        var origin: String?
        var dirty: Bool
        var cache: String?
        var modified: Int64
    }

    var version = 1
    var allocation: String
    var changed: [Change] = []
    var removed: [String] = []
    var directories: [String] = []

    static func load(from path: String) throws(MountError) -> CacheManifest? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(CacheManifest.self, from: data)
        } catch {
            throw .cache("the cache manifest \(path) cannot be read: \(error)")
        }
    }

    func save(to path: String) throws(MountError) {
        let temporary = path + ".tmp"
        do {
            let data = try JSONEncoder().encode(self)
            try data.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw MountError.cache("rename failed: errno \(errno)") }
        } catch {
            throw .cache("the cache manifest \(path) cannot be written: \(error)")
        }
    }
}
