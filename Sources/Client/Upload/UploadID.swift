import Merkle

/// The id of one staged upload (docs/PROTOCOL.md section 10 "Uploads"), shared by uploads and repair.
enum UploadID {
    /// 32 hex characters from 16 random bytes: unique per staged file, equal on every blobber.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
