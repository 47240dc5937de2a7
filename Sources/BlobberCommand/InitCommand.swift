import ArgumentParser
import Blobber
import Foundation
import StorageProtocol

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a data folder: a key pair (mode 0600) and a commented config file.")

    @Option(name: .customLong("data"), help: "The data folder to create.") var directory: String
    @Option(help: "The ledger's URL.") var ledgerURL: String = "http://127.0.0.1:5000"
    @Option(help: "TCP port to serve on.") var port: Int = 5100

    func run() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = BlobberConfiguration(
            dataDirectory: URL(fileURLWithPath: directory).standardizedFileURL.path)
        configuration.ledgerURL = ledgerURL
        configuration.port = port
        try configuration.validate()
        let keyPath = configuration.keyPath
        let key: SigningKey
        if FileManager.default.fileExists(atPath: keyPath) {
            key = try KeyFile.read(from: keyPath)
        } else {
            key = SigningKey.generate()
            try KeyFile.write(key, to: keyPath)
        }
        let configPath = directory + "/blobber.yaml"
        if !FileManager.default.fileExists(atPath: configPath) {
            try configuration.commentedYAML.write(toFile: configPath, atomically: true, encoding: .utf8)
        }
        print("blobber id \(key.publicKey.blobberID.hex)")
        print("config \(configPath)")
    }
}
