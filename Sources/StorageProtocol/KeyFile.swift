import Foundation
import Merkle

#if canImport(Glibc)
    import Glibc
#endif

/// A key pair on disk: JSON with the secret seed, written with mode 0600 and refused on read when
/// group or others can read it (as ssh does).
///
/// ```json
/// {"algorithm":"ed25519","id":"<hex sha256(public key)>","public_key":"<hex>","secret_seed":"<hex>"}
/// ```
public enum KeyFile {
    struct Contents: Codable {
        var algorithm: String
        var id: String
        var publicKey: String
        var secretSeed: String

        enum CodingKeys: String, CodingKey {
            case algorithm, id
            case publicKey = "public_key"
            case secretSeed = "secret_seed"
        }
    }

    /// Writes `key` to a new file at `path` with mode 0600. Never overwrites an existing file.
    public static func write(_ key: SigningKey, to path: String) throws(KeyError) {
        let contents = Contents(
            algorithm: "ed25519", id: key.id.hex, publicKey: key.publicKey.hex, secretSeed: Hex.encode(key.seed))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard var data = try? encoder.encode(contents) else {
            throw .keyFileUnreadable(path: path, reason: "cannot encode key")
        }
        data.append(0x0a)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { throw .keyFileExists(path: path) }
            throw .keyFileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        // The umask could only remove bits; make 0600 explicit anyway.
        fchmod(fd, 0o600)
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw .keyFileUnreadable(path: path, reason: "write failed: \(reason)")
        }
    }

    /// Reads and checks a key file: mode, then `parse`.
    public static func read(from path: String) throws(KeyError) -> SigningKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .keyFileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let mode = UInt32(info.st_mode) & 0o777
        guard mode & 0o077 == 0 else { throw .keyFileInsecure(path: path, mode: mode) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .keyFileUnreadable(path: path, reason: "cannot open")
        }
        return try parse(Array(data), path: path)
    }

    /// Checks a key file's bytes: JSON shape, hex, and that the public key and id follow from the seed.
    /// `path` only names the file in errors.
    public static func parse(_ bytes: [UInt8], path: String) throws(KeyError) -> SigningKey {
        guard bytes.count <= 4096 else { throw .keyFileMalformed(path: path, reason: "larger than 4 KiB") }
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: Data(bytes))
        } catch {
            throw .keyFileMalformed(path: path, reason: "not a key file (expected JSON with secret_seed)")
        }
        guard contents.algorithm == "ed25519" else {
            throw .keyFileMalformed(path: path, reason: "unknown algorithm \(contents.algorithm)")
        }
        guard let seed = Hex.decode(contents.secretSeed) else {
            throw .keyFileMalformed(path: path, reason: "secret_seed is not hexadecimal")
        }
        let key: SigningKey
        do {
            key = try SigningKey(seed: seed)
        } catch {
            throw .keyFileMalformed(path: path, reason: error.description)
        }
        guard key.publicKey.hex == contents.publicKey.lowercased(), key.id.hex == contents.id.lowercased() else {
            throw .keyFileMismatch(path: path)
        }
        return key
    }
}
