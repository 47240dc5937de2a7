import ArgumentParser
import Bench
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure commit latency at 1k and 100k files, and upload throughput.")

    @Option(help: "File counts to measure commit latency at.") var files: [Int] = [1_000, 100_000]
    @Option(help: "Commits measured at each file count.") var commits: Int = 50
    @Option(name: .customLong("upload-mib"), help: "MiB streamed through the upload path.") var uploadMiB: Int = 512
    @Option(
        name: .customLong("server-upload-mib"),
        help: "MiB streamed over HTTP into a child blobber serve whose peak RSS is reported (0: skip).")
    var serverUploadMiB: Int = 2048
    @Flag(help: "JSON lines {\"name\",\"value\",\"unit\"}.") var json = false

    func run() async throws {
        var results = try await BlobberBench.run(fileCounts: files, commits: commits, uploadMiB: uploadMiB)
        if serverUploadMiB > 0 {
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
            results += try await BlobberBench.serverUpload(executable: executable, mebibytes: serverUploadMiB)
        }
        for result in results {
            if json {
                let line = try JSONSerialization.data(
                    withJSONObject: ["name": result.name, "value": result.value, "unit": result.unit],
                    options: [.sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: line, as: UTF8.self))
            } else {
                print("\(result.name): \(String(format: "%.3f", result.value)) \(result.unit)")
            }
        }
    }
}
