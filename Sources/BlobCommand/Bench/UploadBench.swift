import ArgumentParser
import Bench
import Client
import Foundation

/// `blob bench upload`: end-to-end figures against a running network (scripts/bench-client.sh starts
/// one), measured by `Bench.UploadBenchmark`.
struct UploadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload", abstract: "Upload and download one file through the default allocation and time both.")

    @OptionGroup var options: GlobalOptions
    @Option(help: "File size, e.g. 1GiB.") var size: String = "1GiB"
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Option(help: "An allocation with one slow blobber: the same download there gives download_slow_blobber_ratio.")
    var slowAlloc: String?
    @Option(help: "Folder for the temporary file (default: the system's).") var scratch: String?

    func validate() throws {
        guard Sizes.parseBytes(size) ?? 0 > 0 else { throw ValidationError("--size must be like 1GiB") }
    }

    func run() async throws {
        try await runCommand(options, text: UploadBenchmark.text) { context throws(ClientError) in
            let session = try await context.session(alloc)
            let slowContext = context
            return try await UploadBenchmark.run(
                bytes: Sizes.parseBytes(size)!, scratch: scratch ?? FileManager.default.temporaryDirectory.path,
                session: session
            ) { () async throws(ClientError) -> AllocationSession? in
                guard let slowAlloc else { return nil }
                return try await slowContext.session(slowAlloc)
            }
        }
    }
}
