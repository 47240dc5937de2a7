import Foundation
import StorageProtocol

/// Large uploads in flight, so that an upload cut short on the client's side (the process killed, the
/// machine rebooted) resumes where the blobbers got to instead of sending everything again:
/// `HOME/uploads/ALLOCATION.json` maps a remote path to its upload id and to the local file it came from
/// (device, inode, size, modification time). An entry is written before the first byte is sent and
/// removed once the upload is committed or dropped.
///
/// Only files sent in the clear are resumed: an encrypted file's stripes would be sealed again under the
/// same key and nonces, which is safe only if the plaintext is byte for byte the same, and the file's
/// identity cannot prove that. Encrypted uploads start afresh with a new key.
final class UploadJournal: Sendable {
    struct Entry: Codable, Sendable, Equatable {
        var uploadID: String
        var localPath: String
        var identity: LocalFile.Identity

        init(uploadID: String, file: LocalFile) {
            self.uploadID = uploadID
            localPath = file.path
            identity = file.identity
        }

        /// The same local file, unchanged as far as its metadata tells.
        func matches(_ file: LocalFile) -> Bool {
            localPath == file.path && identity == file.identity
        }

        enum CodingKeys: String, CodingKey {
            case uploadID = "upload_id"
            case localPath = "local_path"
            case identity
        }
    }

    /// Files smaller than this are sent again whole: resuming them would save little.
    static let minimumBytes: UInt64 = 8 << 20

    let path: String
    private let entries: Locked<[String: Entry]>

    init(home: ClientHome, allocation: AllocationID) {
        path = home.path + "/uploads/\(allocation.hex).json"
        let saved = FileManager.default.contents(atPath: path).flatMap {
            try? JSONDecoder().decode([String: Entry].self, from: $0)
        }
        entries = Locked(saved ?? [:])
    }

    func entry(for remotePath: String) -> Entry? {
        entries.withLock { $0[remotePath] }
    }

    func record(_ entry: Entry, for remotePath: String) throws(ClientError) {
        try update { $0[remotePath] = entry }
    }

    func remove(_ remotePaths: [String]) throws(ClientError) {
        try update { entries in
            for path in remotePaths { entries[path] = nil }
        }
    }

    /// Changes the entries and writes them (temporary file, sync, rename) under the lock, so writes
    /// from files staged at once never interleave.
    private func update(_ change: (inout [String: Entry]) -> Void) throws(ClientError) {
        let failure: ClientError? = entries.withLock { entries in
            let before = entries
            change(&entries)
            var failure: ClientError?
            if entries != before {
                do throws(ClientError) {
                    try ClientHome.writeAtomically(entries, to: path)
                } catch {
                    failure = error
                }
            }
            return failure
        }
        if let failure { throw failure }
    }
}
