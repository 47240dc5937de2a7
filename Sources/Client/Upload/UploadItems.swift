import Foundation
import StorageProtocol

extension Uploader.Item {
    /// The files to upload from `local` to `remote`: `local` itself (to `remote`, or below it when
    /// `remote` ends in `/`), or every regular file below the directory `local` (sorted, hidden ones
    /// included), each at its relative path below `remote`.
    public static func walk(local: String, remote: String) throws(ClientError) -> [Uploader.Item] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: local, isDirectory: &isDirectory) else {
            throw .localFile(path: local, reason: "no such file or directory")
        }
        let base = remote.hasSuffix("/") && remote != "/" ? String(remote.dropLast()) : remote
        guard isDirectory.boolValue else {
            let target = remote.hasSuffix("/") ? remote + URL(fileURLWithPath: local).lastPathComponent : remote
            return [Uploader.Item(localPath: local, remotePath: try RemotePath.parse(target))]
        }
        guard let enumerator = FileManager.default.enumerator(atPath: local) else {
            throw .localFile(path: local, reason: "cannot list the directory")
        }
        var items: [Uploader.Item] = []
        while let relative = enumerator.nextObject() as? String {
            let full = local + "/" + relative
            var nestedDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &nestedDirectory),
                !nestedDirectory.boolValue
            else { continue }
            items.append(
                Uploader.Item(localPath: full, remotePath: try RemotePath.parse((base == "/" ? "" : base) + "/" + relative)))
        }
        guard !items.isEmpty else { throw .localFile(path: local, reason: "the directory holds no files") }
        return items.sorted { $0.remotePath < $1.remotePath }
    }

    /// The bytes to upload: the local file's size when it is one (0 when it cannot be read), else the
    /// source's announced size.
    public var size: UInt64 {
        if let bytes { return bytes.size }
        return (try? FileManager.default.attributesOfItem(atPath: localPath)[.size] as? UInt64) ?? 0
    }
}
