import Foundation
import Merkle
import StorageProtocol
import Testing

@Suite struct KeyFileTests {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "keyfile-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    @Test func writesMode0600AndReadsBack() throws {
        let path = folder + "/key.json"
        let key = SigningKey.generate()
        try KeyFile.write(key, to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let read = try KeyFile.read(from: path)
        #expect(read.publicKey == key.publicKey)
        #expect(read.seed == key.seed)
        // Never overwrites a key.
        #expect(throws: KeyError.keyFileExists(path: path)) { try KeyFile.write(SigningKey.generate(), to: path) }
        #expect(try KeyFile.read(from: path).publicKey == key.publicKey)
    }

    @Test func refusesReadableByOthers() throws {
        let path = folder + "/open.json"
        try KeyFile.write(SigningKey.generate(), to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: KeyError.keyFileInsecure(path: path, mode: 0o644)) { try KeyFile.read(from: path) }
    }

    @Test(arguments: [
        ("not json", "key.file_malformed"),
        (#"{"algorithm":"ed25519"}"#, "key.file_malformed"),
        (#"{"algorithm":"rsa","id":"","public_key":"","secret_seed":"00"}"#, "key.file_malformed"),
        (#"{"algorithm":"ed25519","id":"","public_key":"","secret_seed":"zz"}"#, "key.file_malformed"),
        (#"{"algorithm":"ed25519","id":"","public_key":"","secret_seed":"0011"}"#, "key.file_malformed"),
    ])
    func malformedFilesAreRefused(contents: String, code: String) throws {
        let path = folder + "/bad-\(UInt32.random(in: 0...UInt32.max)).json"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]))
        let error = try #require(throws: KeyError.self) { try KeyFile.read(from: path) }
        #expect(error.code == code)
    }

    @Test func refusesMismatchedPublicKey() throws {
        let key = SigningKey.generate()
        let other = SigningKey.generate()
        let path = folder + "/mismatch.json"
        let text =
            #"{"algorithm":"ed25519","id":"\#(key.id.hex)","public_key":"\#(other.publicKey.hex)","secret_seed":"\#(Hex.encode(key.seed))"}"#
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))
        #expect(throws: KeyError.keyFileMismatch(path: path)) { try KeyFile.read(from: path) }
    }

    @Test func missingFileIsAClearError() {
        let error = #expect(throws: KeyError.self) { try KeyFile.read(from: folder + "/absent.json") }
        #expect(error?.code == "key.file_unreadable")
    }
}
