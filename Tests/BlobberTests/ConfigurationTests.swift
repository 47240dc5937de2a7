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

    @Test("pending markers go to the ledger once the oldest waited batch_max_age, even while markers keep arriving")
    func batchByAge() async throws {
        // Count and idle never trigger here: only the age of the oldest pending marker can.
        let (ledger, blobber, start) = try await startAllocation(
            blobberExtra: ["--batch-max-markers", "1000", "--batch-idle", "600", "--batch-max-age", "2"])
        var owner = start
        func onLedger() async throws -> UInt64 {
            try await ledger.allocation(owner.allocation).blobbers[0].head.sequence
        }
        let clock = ContinuousClock()
        let started = clock.now
        try await owner.put("/a", blocks: 1, seed: 1)
        // A commit every 250 ms or so: the idle trigger never fires, the age trigger must. Every marker whose
        // commit was answered less than batch_max_age after the first commit began was waiting before the
        // oldest reached that age, so the age trigger's chain carries at least those (a relation, not a
        // count: on a loaded machine fewer commits fit in the 2 s, and 2 once did not).
        var committed: UInt64 = 1
        var waitingBeforeAge: UInt64 = 1
        for seed in UInt8(2)...60 {
            guard try await onLedger() == 0 else { break }
            try await owner.put("/a\(seed)", blocks: 1, seed: seed)
            committed += 1
            if clock.now - started < .seconds(2) { waitingBeforeAge += 1 }
            try await Task.sleep(for: .milliseconds(250))
        }
        let first = try await onLedger()
        #expect(first >= 1)
        #expect(
            first >= waitingBeforeAge,
            "the age trigger sent \(first) markers, not the chain of the \(waitingBeforeAge) waiting")
        // What arrived after that chain follows by age too, once the commits stop.
        #expect(try await eventually(timeout: 20) { try await onLedger() == committed })
        #expect(try await eventually { try await owner.state().pendingMarkers == 0 })
        await stopAll(ledger, blobber)
    }
}
