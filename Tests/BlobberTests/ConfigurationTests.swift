import Blobber
import Foundation
import NIOHTTP1
import StorageProtocol
import TestProcesses
import Testing

@Suite("Blobber configuration and batching", .timeLimit(.minutes(2)))
struct ConfigurationTests {
    @Test("the commented template loads back to the same values; a relative data_dir is taken from the file's folder")
    func templateRoundTrip() throws {
        let folder = temporaryDirectory("config")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var configuration = BlobberConfiguration(dataDirectory: folder)
        configuration.port = 6123
        configuration.batchMaxMarkers = 7
        configuration.gcInterval = 12
        configuration.region = "eu-west"
        try configuration.commentedYAML.write(toFile: folder + "/a.yaml", atomically: true, encoding: .utf8)
        #expect(try BlobberConfiguration.load(from: folder + "/a.yaml") == configuration)
        try "data_dir: data\nport: 7000\n".write(toFile: folder + "/b.yaml", atomically: true, encoding: .utf8)
        let relative = try BlobberConfiguration.load(from: folder + "/b.yaml")
        #expect(relative.dataDirectory == folder + "/data" && relative.port == 7000)
        try "data_dir: x\nbatch_max_markers: 0\n".write(toFile: folder + "/c.yaml", atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) { try BlobberConfiguration.load(from: folder + "/c.yaml") }
    }

    @Test("a lone marker is submitted once the oldest waited batch_max_age, even while markers keep arriving")
    func batchByAge() async throws {
        // Count and idle never trigger here: only the age of the oldest pending marker can.
        let (ledger, blobber, start) = try await startAllocation(
            blobberExtra: ["--batch-max-markers", "1000", "--batch-idle", "600", "--batch-max-age", "2"])
        var owner = start
        try await owner.put("/a", blocks: 1, seed: 1)
        #expect(try await owner.state().pendingMarkers == 1)
        let delivered = try await eventually(timeout: 20) {
            try await ledger.allocation(owner.allocation).blobbers[0].head.sequence == 1
        }
        #expect(delivered)
        #expect(try await owner.state().pendingMarkers == 0)
        await stopAll(ledger, blobber)
    }
}
