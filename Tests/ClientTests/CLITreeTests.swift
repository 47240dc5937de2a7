import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// `blob`'s tree commands (download -r, rm -r, ls -R/-l, stat, mkdir, cp, sync), stdin and stdout, the
/// overwrite and symbolic-link refusals, and the command line itself (--version, did you mean, global
/// options before the subcommand), as real processes over a real network.
@Suite(.serialized) struct CLITreeTests {
    /// A folder of three files in two levels below `network.root + "/" + name`.
    static func tree(_ network: TestNetwork, _ name: String) throws -> (folder: String, files: [String: [UInt8]]) {
        let folder = network.root + "/" + name
        try FileManager.default.createDirectory(atPath: folder + "/sub/deeper", withIntermediateDirectories: true)
        let files = [
            "a.txt": ShardEncoderTests.bytes(1_000, seed: 51),
            "sub/b.bin": ShardEncoderTests.bytes(300_000, seed: 52),
            "sub/deeper/c.bin": ShardEncoderTests.bytes(0, seed: 53),
        ]
        for (relative, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + relative)) }
        return (folder, files)
    }

    @Test func treeDownloadListStatAndRecursiveRemove() async throws {
        try await TestNetwork.with { network in
            let home = ["--home", network.home.path]
            let (folder, files) = try Self.tree(network, "tree")
            let upload = try await run("blob", ["upload"] + home + [folder, "/tree", "--json"])
            #expect(upload.status == 0, "\(upload.stdout) \(upload.stderr)")

            let recursive = try await run("blob", ["ls", "-R"] + home + ["/tree"])
            #expect(recursive.stdout.split(separator: "\n") == ["a.txt", "sub/b.bin", "sub/deeper/c.bin"])
            let long = try await run("blob", ["ls", "-l"] + home + ["/tree/sub"])
            let lines = long.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "deeper/", "\(long.stdout) \(long.stderr)")
            let bLine = try #require(lines.last)
            #expect(bLine.hasSuffix("  2 blocks  b.bin"), "\(bLine)")
            #expect(bLine.contains("  -    "), "not encrypted: \(bLine)")
            #expect(bLine.range(of: #"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"#, options: .regularExpression) != nil, "\(bLine)")

            let stat = try await run("blob", ["stat"] + home + ["/tree/sub/b.bin", "--json"])
            #expect(stat.json["size"] as? Int == 300_000, "\(stat.stdout) \(stat.stderr)")
            #expect(stat.json["content_hash"] as? String == SHA256.hash(files["sub/b.bin"]!).hex)

            let mkdir = try await run("blob", ["mkdir"] + home + ["/tree/new", "--json"])
            #expect(mkdir.status == 0 && mkdir.json["created"] as? Bool == false, "\(mkdir.stdout) \(mkdir.stderr)")

            let back = network.root + "/tree.back"
            let download = try await run("blob", ["download", "-r"] + home + ["/tree", back, "--json"])
            #expect(download.status == 0, "\(download.stdout) \(download.stderr)")
            for (relative, bytes) in files {
                #expect(try Data(contentsOf: URL(fileURLWithPath: back + "/" + relative)) == Data(bytes), "\(relative)")
            }
            let leftovers = try FileManager.default.subpathsOfDirectory(atPath: back).filter { $0.hasSuffix(".blob-partial") }
            #expect(leftovers.isEmpty)

            let before = try await network.heads().map(\.sequence)
            let remove = try await run("blob", ["rm", "-r"] + home + ["/tree", "--json"])
            #expect(remove.status == 0, "\(remove.stdout) \(remove.stderr)")
            #expect((remove.json["deleted"] as? [String])?.count == 3)
            #expect(try await network.heads().map(\.sequence) == before.map { $0 + 1 }, "one commit per blobber")
            let empty = try await run("blob", ["ls", "-R"] + home + ["/", "--json"])
            #expect((empty.json["files"] as? [Any])?.isEmpty == true, "\(empty.stdout)")
            #expect((empty.json["directories"] as? [Any])?.isEmpty == true, "\(empty.stdout)")
        }
    }

    @Test func syncSendsOnlyWhatChangedAndMirrorsWithDelete() async throws {
        try await TestNetwork.with { network in
            let home = ["--home", network.home.path]
            let (folder, files) = try Self.tree(network, "sync")
            let first = try await run("blob", ["sync"] + home + [folder, "/sync", "--json"])
            #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
            let plan = try #require(first.json["plan"] as? [String: Any])
            #expect((plan["added"] as? [String])?.count == 3)
            let afterFirst = try await network.heads().map(\.sequence)

            let second = try await run("blob", ["sync"] + home + [folder, "/sync", "--json"])
            let again = try #require(second.json["plan"] as? [String: Any])
            #expect((again["added"] as? [String])?.isEmpty == true && (again["changed"] as? [String])?.isEmpty == true)
            #expect(again["unchanged"] as? Int == 3)
            #expect(try await network.heads().map(\.sequence) == afterFirst, "nothing sent the second time")

            // One file changed (same size), one removed: a dry run plans, --delete mirrors.
            var changed = files["a.txt"]!
            changed[0] ^= 0xff
            try Data(changed).write(to: URL(fileURLWithPath: folder + "/a.txt"))
            try FileManager.default.removeItem(atPath: folder + "/sub/b.bin")
            let dry = try await run("blob", ["sync", "--delete", "--dry-run"] + home + [folder, "/sync", "--json"])
            let dryPlan = try #require(dry.json["plan"] as? [String: Any])
            #expect(dryPlan["changed"] as? [String] == ["a.txt"] && dryPlan["deleted"] as? [String] == ["sub/b.bin"])
            #expect(try await network.heads().map(\.sequence) == afterFirst, "a dry run changes nothing")
            let mirror = try await run("blob", ["sync", "--delete"] + home + [folder, "/sync"])
            #expect(mirror.status == 0, "\(mirror.stdout) \(mirror.stderr)")
            #expect(try await network.heads().map(\.sequence) == afterFirst.map { $0 + 1 }, "one commit")
            let listing = try await run("blob", ["ls", "-R"] + home + ["/sync"])
            #expect(listing.stdout.split(separator: "\n") == ["a.txt", "sub/deeper/c.bin"])

            // Down: into an empty folder, then a local extra removed with --delete.
            let local = network.root + "/sync.down"
            let down = try await run("blob", ["sync"] + home + ["/sync", local])
            #expect(down.status == 0, "\(down.stdout) \(down.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: local + "/a.txt")) == Data(changed))
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: local + "/extra"))
            let downAgain = try await run("blob", ["sync", "--delete"] + home + ["/sync", local, "--json"])
            let downPlan = try #require(downAgain.json["plan"] as? [String: Any])
            #expect(downPlan["deleted"] as? [String] == ["extra"] && downPlan["unchanged"] as? Int == 2)
            #expect(!FileManager.default.fileExists(atPath: local + "/extra"))
        }
    }

    @Test func overwritesNeedForceAndCopyStreamsRemoteToRemote() async throws {
        try await TestNetwork.with { network in
            let home = ["--home", network.home.path]
            let a = try network.localFile("a.bin", size: 200_000, seed: 61)
            let b = try network.localFile("b.bin", size: 5_000, seed: 62)
            #expect(try await run("blob", ["upload"] + home + [a.path, "/a.bin"]).status == 0)
            #expect(try await run("blob", ["upload"] + home + [b.path, "/b.bin"]).status == 0)

            let refused = try await run("blob", ["upload"] + home + [b.path, "/a.bin", "--json"])
            #expect(refused.status == 1)
            #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "client.remote_exists")
            let moveRefused = try await run("blob", ["mv"] + home + ["/b.bin", "/a.bin"])
            #expect(moveRefused.stderr.contains("/a.bin already exists"), "\(moveRefused.stderr)")
            let copyRefused = try await run("blob", ["cp"] + home + ["/b.bin", "/a.bin", "--json"])
            #expect((copyRefused.json["error"] as? [String: Any])?["code"] as? String == "client.remote_exists")

            let copy = try await run("blob", ["cp"] + home + ["/a.bin", "/c.bin", "--json"])
            #expect(copy.status == 0, "\(copy.stdout) \(copy.stderr)")
            let back = network.root + "/c.back"
            #expect(try await run("blob", ["download"] + home + ["/c.bin", back]).status == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(a.bytes))

            let forced = try await run("blob", ["upload", "--force"] + home + [b.path, "/a.bin"])
            #expect(forced.status == 0, "\(forced.stderr)")
            #expect(try await run("blob", ["download"] + home + ["/a.bin", back]).status == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(b.bytes))

            // Every blobber goes by one label (shard, id prefix, address), in status and in errors.
            let session = try await network.session()
            let status = try await run("blob", ["status"] + home)
            for blobber in session.blobbers {
                #expect(blobber.label.hasPrefix("#\(blobber.shardIndex ?? -1) \(blobber.blobberID.hex.prefix(8)) http://127.0.0.1:"))
                #expect(status.stdout.contains(blobber.label), "\(status.stdout)")
            }
            // Two blobbers down out of 4+2: the upload fails, each failure on one line naming the blobber
            // and what was tried, in words rather than the transport's error names.
            for shard in [1, 4] {
                let process = try await network.blobber(shard: shard).process
                _ = await process.stop()
            }
            let failed = try await run("blob", ["upload", "--force"] + home + [a.path, "/a.bin"])
            #expect(failed.status == 1)
            for shard in [1, 4] {
                let label = session.blobbers[shard].label
                #expect(failed.stderr.components(separatedBy: label).count == 2, "once: \(label) in \(failed.stderr)")
            }
            #expect(failed.stderr.contains("connection refused"), "\(failed.stderr)")
            #expect(!failed.stderr.contains("HTTPClientError") && !failed.stderr.contains("NIOConnectionError"))
        }
    }

    @Test func stdinUploadStdoutDownloadAndSpecialFiles() async throws {
        try await TestNetwork.with { network in
            let blob = builtBinary("blob")
            let home = network.home.path
            let file = try network.localFile("piped.bin", size: 700_000, seed: 71)
            let upload = try await runProgram(
                "/bin/sh", ["-c", "cat '\(file.path)' | '\(blob)' upload --home '\(home)' - /piped.bin --size 700000"],
                unset: ["BLOB_HOME"])
            #expect(upload.status == 0, "\(upload.stdout) \(upload.stderr)")
            let noSize = try await runProgram(
                "/bin/sh", ["-c", "cat '\(file.path)' | '\(blob)' upload --home '\(home)' - /other.bin"],
                unset: ["BLOB_HOME"])
            #expect(noSize.status == 1 && noSize.stderr.contains("--size"), "\(noSize.stderr)")

            for target in ["-", "/dev/stdout"] {
                let out = network.root + "/piped.out"
                let download = try await runProgram(
                    "/bin/sh",
                    ["-c", "'\(blob)' download --home '\(home)' /piped.bin \(target) | cat > '\(out)'"],
                    unset: ["BLOB_HOME"])
                #expect(download.status == 0, "\(target): \(download.stderr)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(file.bytes), "\(target)")
                #expect(download.stdout.isEmpty)
            }
            let deviceStill = try FileManager.default.destinationOfSymbolicLink(atPath: "/dev/stdout")
            #expect(!deviceStill.isEmpty, "/dev/stdout is still a link")

            // A symbolic link at the local path is neither written through nor replaced.
            let victim = try network.localFile("victim", size: 10, seed: 72)
            let link = network.root + "/link"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim.path)
            let refused = try await run("blob", ["download", "--home", home, "/piped.bin", link])
            #expect(refused.status == 1 && refused.stderr.contains("symbolic link"), "\(refused.stderr)")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == victim.path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: victim.path)) == Data(victim.bytes))
        }
    }

    @Test func versionSuggestionsAndGlobalOptionsAnywhere() async throws {
        for program in ["blob", "blobber", "ledger"] {
            let version = try await run(program, ["--version"])
            #expect(version.status == 0, "\(program): \(version.stderr)")
            #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == ProjectVersion.string, "\(program)")
        }
        let typo = try await run("blob", ["uplaod", "a", "/a"])
        #expect(typo.status != 0)
        #expect(typo.stderr.contains("did you mean `upload`?"), "\(typo.stderr)")
        let far = try await run("blob", ["frobnicate"])
        #expect(far.status != 0 && !far.stderr.contains("did you mean"), "\(far.stderr)")

        let home = temporaryDirectory("blob-global")
        defer { try? FileManager.default.removeItem(atPath: home) }
        // A malformed ledger address is refused up front; a well-formed one that fails is not remembered.
        let malformed = try await run("blob", ["ls", "--home", home, "--ledger", "127.0.0.1:7000"])
        #expect(malformed.status != 0 && malformed.stderr.contains("is not an address like"), "\(malformed.stderr)")
        #expect(try await run("blob", ["wallet", "create", "--home", home]).status == 0)
        let unreachable = try await run("blob", ["wallet", "show", "--home", home, "--ledger", "http://127.0.0.1:1"])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("http://127.0.0.1:1") && unreachable.stderr.contains("connection refused"),
            "\(unreachable.stderr)")
        let settings = (try? String(contentsOfFile: home + "/config.json", encoding: .utf8)) ?? ""
        #expect(!settings.contains("127.0.0.1:1"), "\(settings)")
        for arguments in [
            ["--home", home, "--json", "ls"], ["ls", "--home", home, "--json"], ["--json", "ls", "--home=\(home)"],
        ] {
            let listed = try await run("blob", arguments)
            #expect(
                (listed.json["error"] as? [String: Any])?["code"] as? String == "client.no_allocation",
                "\(arguments): \(listed.stdout) \(listed.stderr)")
        }
    }
}
