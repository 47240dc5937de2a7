import Foundation
import TestProcesses
import Testing

/// Real S3 clients from Debian (rclone, s3fs-fuse) and aws-cli's multipart over 100 MiB against a real
/// `gateway serve` over a real testnet. Each skips when its tool is absent unless
/// `BLOB_TEST_REQUIRE_TOOLS=1` (scripts/install-test-tools.sh installs them).
@Suite struct S3ClientTests {
    /// rclone copies a tree up and back; s3fs mounts the bucket, writes and reads through it, and sees
    /// what rclone and curl put.
    @Test func rcloneAndS3fs() async throws {
        let rclone = GatewayNetwork.tool("rclone")
        let s3fs = GatewayNetwork.tool("s3fs")
        let fusermount = GatewayNetwork.tool("fusermount3")
        if rclone == nil || s3fs == nil || fusermount == nil {
            #expect(
                !GatewayNetwork.toolsRequired,
                "rclone, s3fs or fusermount3 is not installed (scripts/install-test-tools.sh)")
            print("S3ClientTests: rclone, s3fs or fusermount3 is not installed; skipped what needs it")
        }
        guard rclone != nil || s3fs != nil else { return }
        let network = try await GatewayNetwork()
        let local = temporaryDirectory("gateway-clients")
        do {
            if let rclone { try await exerciseRclone(network, rclone: rclone, local: local) }
            if let s3fs, let fusermount {
                try await exerciseS3fs(network, s3fs: s3fs, fusermount: fusermount, local: local)
            }
        } catch {
            Issue.record("\(error)\ngateway stderr: \(network.gatewayLog.suffix(3000))")
        }
        // What the clients asked was answered, or refused as S3 would (404s for the names s3fs probes):
        // never a server error.
        let failures = network.gatewayLog.split(separator: "\n").filter { $0.contains("error gateway: refused") }
        #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
        await network.stop()
        try? FileManager.default.removeItem(atPath: local)
    }

    func exerciseRclone(_ network: GatewayNetwork, rclone: String, local: String) async throws {
        // A tree of mixed files: empty, small, a few MiB, nested folders, a name with a space.
        let tree = local + "/tree"
        for folder in ["", "/docs", "/docs/deep/er", "/media"] {
            try FileManager.default.createDirectory(atPath: tree + folder, withIntermediateDirectories: true)
        }
        try Data().write(to: URL(fileURLWithPath: tree + "/empty.txt"))
        try Data("hello rclone\n".utf8).write(to: URL(fileURLWithPath: tree + "/docs/readme.md"))
        try Data("deep\n".utf8).write(to: URL(fileURLWithPath: tree + "/docs/deep/er/leaf file.txt"))
        try writeRandom(tree + "/media/clip.bin", bytes: 3 << 20 | 12345)
        try writeRandom(tree + "/media/thumb.bin", bytes: 70_001)

        // Configured by environment only (no config file: --config points at an empty temp file).
        try Data().write(to: URL(fileURLWithPath: local + "/rclone.conf"))
        func run(_ arguments: [String]) async throws -> ProgramOutcome {
            try await runProgram(
                rclone,
                arguments + [
                    "--config", local + "/rclone.conf", "--retries", "1", "--low-level-retries", "1",
                    "--contimeout", "10s", "--timeout", "60s",
                ],
                environment: [
                    "RCLONE_CONFIG_GW_TYPE": "s3", "RCLONE_CONFIG_GW_PROVIDER": "Other",
                    "RCLONE_CONFIG_GW_ENDPOINT": network.url, "RCLONE_CONFIG_GW_FORCE_PATH_STYLE": "true",
                    "RCLONE_CONFIG_GW_REGION": "us-east-1",
                    "RCLONE_CONFIG_GW_ACCESS_KEY_ID": network.fullKey["access_key_id"] ?? "",
                    "RCLONE_CONFIG_GW_SECRET_ACCESS_KEY": network.fullKey["secret_access_key"] ?? "",
                ],
                // rclone's AWS SDK refuses a custom CA bundle over its own HTTP transport (plain HTTP here).
                unset: ["AWS_CA_BUNDLE"], timeout: 180)
        }
        let made = try await run(["mkdir", "gw:trees"])
        #expect(made.status == 0, "rclone mkdir: \(made.stderr)")
        let up = try await run(["copy", tree, "gw:trees/tree"])
        #expect(up.status == 0, "rclone copy up: \(up.stderr)")
        let check = try await run(["check", tree, "gw:trees/tree"])
        #expect(check.status == 0, "rclone check: \(check.stderr)")
        let listed = try await run(["lsf", "-R", "--files-only", "gw:trees/tree"])
        #expect(
            Set(listed.stdout.split(separator: "\n").map(String.init))
                == ["empty.txt", "docs/readme.md", "docs/deep/er/leaf file.txt", "media/clip.bin", "media/thumb.bin"],
            "rclone lsf: \(listed.stdout) \(listed.stderr)")
        let folders = try await run(["lsf", "gw:trees/tree/docs"])
        #expect(Set(folders.stdout.split(separator: "\n")) == ["readme.md", "deep/"], "\(folders.stdout)")
        let back = try await run(["copy", "gw:trees/tree", local + "/back"])
        #expect(back.status == 0, "rclone copy back: \(back.stderr)")
        try expectSameTree(tree, local + "/back")
        // An unchanged copy transfers nothing (sizes and MD5 ETags match).
        let again = try await run(["copy", "-v", tree, "gw:trees/tree"])
        #expect(again.status == 0 && !again.stderr.contains("Copied"), "copied again: \(again.stderr)")
    }

    func exerciseS3fs(_ network: GatewayNetwork, s3fs: String, fusermount: String, local: String) async throws {
        // The bucket rclone filled, when it ran (else made here with curl's SigV4).
        let bucket = "trees"
        let fromRclone = FileManager.default.fileExists(atPath: local + "/tree/media/clip.bin")
        if !fromRclone {
            #expect(try await curlS3(network, "/\(bucket)", output: local + "/made.xml", method: "PUT") == 200)
        }
        let point = local + "/mnt"
        try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)
        let passwd = local + "/s3fs-passwd"
        try "\(network.fullKey["access_key_id"] ?? ""):\(network.fullKey["secret_access_key"] ?? "")\n"
            .write(toFile: passwd, atomically: true, encoding: .utf8)
        chmod(passwd, 0o600)

        let port = network.url.split(separator: ":").last.map(String.init) ?? ""
        let child = try ChildProcess(
            s3fs,
            [
                bucket, point, "-f",
                "-o",
                "url=http://127.0.0.1:\(port),use_path_request_style,passwd_file=\(passwd),sigv4,endpoint=us-east-1,"
                    + "stat_cache_expire=1,enable_noobj_cache,retries=2,connect_timeout=10,readwrite_timeout=60,"
                    + "umask=0022,dbglevel=warn",
            ])
        var mounted = false
        do {
            mounted = try await eventually(timeout: 30) {
                guard child.isRunning else { return true }
                return Self.isMounted(point)
            }
            guard mounted, child.isRunning else {
                throw TestFailure("s3fs did not mount: \(child.stderr.suffix(2000))")
            }
            // Writes through the mount: a small file, a 2 MiB file, a folder made with mkdir.
            try FileManager.default.createDirectory(atPath: point + "/made/inner", withIntermediateDirectories: true)
            try Data("written through s3fs\n".utf8).write(to: URL(fileURLWithPath: point + "/made/note.txt"))
            try writeRandom(local + "/big.src", bytes: 2 << 20 | 777)
            let copied = try await runProgram(
                "/bin/cp", [local + "/big.src", point + "/made/inner/big.bin"], timeout: 120)
            #expect(copied.status == 0, "cp into the mount: \(copied.stderr)")
            try Data().write(to: URL(fileURLWithPath: point + "/made/zero"))

            // Listing folders through the mount.
            let top = try FileManager.default.contentsOfDirectory(atPath: point).sorted()
            #expect(top.contains("made"), "\(top)")
            if fromRclone { #expect(top.contains("tree"), "\(top)") }
            let made = try FileManager.default.contentsOfDirectory(atPath: point + "/made").sorted()
            #expect(made == ["inner", "note.txt", "zero"], "\(made)")
            var isFolder: ObjCBool = false
            #expect(
                FileManager.default.fileExists(atPath: point + "/made/inner", isDirectory: &isFolder)
                    && isFolder.boolValue)
            // Read back byte-exact through the mount, and what aws put.
            let bigBack = try await runProgram(
                "/usr/bin/cmp", [local + "/big.src", point + "/made/inner/big.bin"], timeout: 60)
            #expect(bigBack.status == 0, "cmp: \(bigBack.stdout) \(bigBack.stderr)")
            #expect(
                FileManager.default.contents(atPath: point + "/made/note.txt") == Data("written through s3fs\n".utf8))
            #expect(FileManager.default.contents(atPath: point + "/made/zero") == Data())
            if fromRclone {
                // What rclone put (no folder objects: the folders are implicit) reads back through the mount.
                let docs = try FileManager.default.contentsOfDirectory(atPath: point + "/tree/docs").sorted()
                #expect(docs == ["deep", "readme.md"], "\(docs)")
                let clip = try await runProgram(
                    "/usr/bin/cmp", [local + "/tree/media/clip.bin", point + "/tree/media/clip.bin"], timeout: 60)
                #expect(clip.status == 0, "cmp: \(clip.stdout) \(clip.stderr)")
                #expect(
                    FileManager.default.contents(atPath: point + "/tree/docs/deep/er/leaf file.txt")
                        == Data("deep\n".utf8))
                #expect(FileManager.default.contents(atPath: point + "/tree/empty.txt") == Data())
            }
            // What s3fs wrote is there by S3 too.
            let viaS3 = try await curlS3(network, "/\(bucket)/made/inner/big.bin", output: local + "/big.s3")
            #expect(viaS3 == 200)
            #expect(
                try await runProgram("/usr/bin/cmp", [local + "/big.src", local + "/big.s3"], timeout: 60).status == 0)
            let folder = try await curlS3(network, "/\(bucket)/made/inner/", output: local + "/folder.s3", head: true)
            #expect(folder == 200, "the folder object mkdir made is not there")
            // Delete through the mount.
            try FileManager.default.removeItem(atPath: point + "/made/note.txt")
            #expect(try await curlS3(network, "/\(bucket)/made/note.txt", output: local + "/gone", head: true) == 404)
        } catch {
            Issue.record("s3fs: \(error)\ns3fs stderr: \(child.stderr.suffix(2000))")
        }
        if Self.isMounted(point) {
            let unmounted = try await runProgram(fusermount, ["-u", point], timeout: 60)
            if unmounted.status != 0 { _ = try? await runProgram(fusermount, ["-uz", point], timeout: 60) }
        }
        if await child.wait(timeout: 30) == nil { await child.stop() }
    }

    /// aws-cli's multipart upload of a 110 MiB file (default 8 MiB parts) up and back, byte-exact; the
    /// ETag carries the part count.
    @Test func awsCliMultipartOver100MiB() async throws {
        guard let aws = GatewayNetwork.tool("aws") else {
            #expect(!GatewayNetwork.toolsRequired, "aws-cli is not installed (scripts/install-test-tools.sh)")
            print("S3ClientTests: aws-cli is not installed; skipped")
            return
        }
        let network = try await GatewayNetwork(configuration: "sweep_interval: 5\n")
        let local = temporaryDirectory("gateway-large")
        do {
            try "[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n".write(
                toFile: local + "/aws-config", atomically: true, encoding: .utf8)
            let environment = [
                "AWS_ACCESS_KEY_ID": network.fullKey["access_key_id"] ?? "",
                "AWS_SECRET_ACCESS_KEY": network.fullKey["secret_access_key"] ?? "",
                "AWS_CONFIG_FILE": local + "/aws-config", "AWS_SHARED_CREDENTIALS_FILE": local + "/none",
                "AWS_EC2_METADATA_DISABLED": "true",
            ]
            func run(_ arguments: [String]) async throws -> ProgramOutcome {
                try await runProgram(
                    aws, arguments + ["--endpoint-url", network.url], environment: environment, timeout: 600)
            }
            // Random bytes, streamed to the file (never the whole of it in memory).
            let size = 110 << 20
            try writeRandom(local + "/large.bin", bytes: size)
            #expect(try await run(["s3", "mb", "s3://large"]).status == 0)
            let baseline = gatewayPeak(network)
            let up = try await run(["s3", "cp", local + "/large.bin", "s3://large/videos/large.bin"])
            #expect(up.status == 0, "aws s3 cp up: \(up.stderr)")
            let head = try await run(["s3api", "head-object", "--bucket", "large", "--key", "videos/large.bin"])
            #expect(head.status == 0, "\(head.stderr)")
            let fields = (try? JSONSerialization.jsonObject(with: Data(head.stdout.utf8))) as? [String: Any] ?? [:]
            #expect((fields["ContentLength"] as? Int) == size, "\(head.stdout)")
            let etag = fields["ETag"] as? String ?? ""
            // 110 MiB in aws-cli's default 8 MiB parts: 14 parts.
            #expect(etag.hasSuffix("-14\""), "ETag without the multipart suffix: \(etag)")
            let down = try await run(["s3", "cp", "s3://large/videos/large.bin", local + "/large.back"])
            #expect(down.status == 0, "aws s3 cp down: \(down.stderr)")
            let same = try await runProgram(
                "/usr/bin/cmp", [local + "/large.bin", local + "/large.back"], timeout: 120)
            #expect(same.status == 0, "the 110 MiB file came back different: \(same.stdout)")
            // Streamed both ways: the gateway's peak resident memory grew by less than the object (about
            // 75 MiB in a debug build: aws-cli's 10 concurrent 8 MiB parts and ranged reads).
            let peak = gatewayPeak(network)
            #expect(
                baseline > 0 && peak > 0 && peak - baseline < size / 1024,
                "the gateway's peak resident memory went from \(baseline) to \(peak) kB")
        } catch {
            Issue.record("\(error)\ngateway stderr: \(network.gatewayLog.suffix(3000))")
        }
        await network.stop()
        try? FileManager.default.removeItem(atPath: local)
    }

    /// A rule with `bucket:` sends a bucket and its objects to another allocation of the wallet: written
    /// there (seen with `blob ls --alloc`), read, listed and deleted through S3; other buckets stay in
    /// the gateway's own.
    @Test func s3BucketsFollowPolicies() async throws {
        let network = try await GatewayNetwork()
        let local = temporaryDirectory("gateway-s3-policy")
        do {
            let settings = try String(contentsOfFile: network.home + "/config.json", encoding: .utf8)
            let own = try #require(
                ((try JSONSerialization.jsonObject(with: Data(settings.utf8))) as? [String: Any])?["default_allocation"]
                    as? String)
            let second = try await network.blob(["alloc", "new", "--data", "2", "--parity", "1", "--size", "64MiB"])
            let other = try #require(second.json["id"] as? String, "\(second.stdout) \(second.stderr)")
            try "sweep_interval: 1\npolicies:\n  - name: far\n    bucket: \"far-*\"\n    allocation: \(other)\n"
                .write(toFile: network.home + "/gateway.yaml", atomically: true, encoding: .utf8)
            if let pid = network.gatewayPID { kill(pid, SIGHUP) }
            let bearer = ["-H", "Authorization: Bearer \(network.fullKey["api_key"] ?? "")"]
            let url = network.url
            let routed = try await eventually(timeout: 30) {
                let answer = try await curl(bearer + [url + "/policies"])
                return (answer.json["policies"] as? [[String: Any]])?.first?["bucket"] as? String == "far-*"
            }
            #expect(routed, "SIGHUP did not put the bucket rule in force")

            try Data("far away\n".utf8).write(to: URL(fileURLWithPath: local + "/far.txt"))
            #expect(try await curlS3(network, "/far-away", output: local + "/out", method: "PUT") == 200)
            #expect(try await curlS3(network, "/near", output: local + "/out", method: "PUT") == 200)
            #expect(
                try await curlS3(
                    network, "/far-away/dir/far.txt", output: local + "/out", method: "PUT", upload: local + "/far.txt")
                    == 200, "\((try? String(contentsOfFile: local + "/out", encoding: .utf8)) ?? "")")
            #expect(
                try await curlS3(
                    network, "/near/near.txt", output: local + "/out", method: "PUT", upload: local + "/far.txt") == 200
            )
            // Read, listed, in the bucket list, through S3.
            #expect(try await curlS3(network, "/far-away/dir/far.txt", output: local + "/back") == 200)
            #expect(FileManager.default.contents(atPath: local + "/back") == Data("far away\n".utf8))
            // dir%2F: curl 7.88's --aws-sigv4 signs a query as sent, not canonically encoded.
            #expect(try await curlS3(network, "/far-away?list-type=2&prefix=dir%2F", output: local + "/list") == 200)
            let listing = (try? String(contentsOfFile: local + "/list", encoding: .utf8)) ?? ""
            #expect(listing.contains("<Key>dir/far.txt</Key>"), "\(listing)")
            #expect(try await curlS3(network, "/", output: local + "/buckets") == 200)
            let buckets = (try? String(contentsOfFile: local + "/buckets", encoding: .utf8)) ?? ""
            #expect(buckets.contains("<Name>far-away</Name>") && buckets.contains("<Name>near</Name>"), "\(buckets)")

            // In the rule's allocation, not in the gateway's own; the other bucket the reverse.
            let inOther = try await network.blob(["ls", "--alloc", other, "-R", "/"])
            #expect(
                inOther.stdout.contains("/far-away/dir/far.txt") && !inOther.stdout.contains("near.txt"),
                "\(inOther.stdout)")
            let inOwn = try await network.blob(["ls", "--alloc", own, "-R", "/"])
            #expect(
                inOwn.status == 0 && !inOwn.stdout.contains("far.txt") && inOwn.stdout.contains("/near/near.txt"),
                "\(inOwn.stdout)")

            // Folder objects (KEY/): empty only, metadata kept and replaced by a copy onto itself (s3fs's
            // chmod), listed, deleted.
            try Data("x".utf8).write(to: URL(fileURLWithPath: local + "/x"))
            #expect(
                try await curlS3(network, "/near/folder/", output: local + "/out", method: "PUT", upload: local + "/x")
                    == 400)
            #expect(
                try await curlS3(
                    network, "/near/folder/", output: local + "/out", method: "PUT", headers: ["x-amz-meta-mode: 16877"]
                )
                    == 200)
            #expect(try await curlS3(network, "/near/folder/", output: local + "/head", head: true) == 200)
            #expect(
                ((try? String(contentsOfFile: local + "/head", encoding: .utf8)) ?? "").contains(
                    "x-amz-meta-mode: 16877"))
            #expect(
                try await curlS3(
                    network, "/near/folder/", output: local + "/out", method: "PUT",
                    headers: [
                        "x-amz-copy-source: /near/folder/", "x-amz-metadata-directive: REPLACE",
                        "x-amz-meta-mode: 16832",
                    ]) == 200)
            #expect(try await curlS3(network, "/near/folder/", output: local + "/head", head: true) == 200)
            #expect(
                ((try? String(contentsOfFile: local + "/head", encoding: .utf8)) ?? "").contains(
                    "x-amz-meta-mode: 16832"))
            #expect(try await curlS3(network, "/near?prefix=folder", output: local + "/list") == 200)
            #expect(
                ((try? String(contentsOfFile: local + "/list", encoding: .utf8)) ?? "").contains("<Key>folder/</Key>"))
            #expect(try await curlS3(network, "/near/folder/", output: local + "/out", method: "DELETE") == 204)
            #expect(try await curlS3(network, "/near/folder/", output: local + "/head", head: true) == 404)

            // Deleted there through S3; then the bucket.
            #expect(try await curlS3(network, "/far-away/dir/far.txt", output: local + "/out", method: "DELETE") == 204)
            #expect(try await curlS3(network, "/far-away/dir/far.txt", output: local + "/out", head: true) == 404)
            #expect(try await curlS3(network, "/far-away", output: local + "/out", method: "DELETE") == 204)
            let after = try await network.blob(["ls", "--alloc", other, "-R", "/"])
            #expect(!after.stdout.contains("far-away"), "\(after.stdout)")
        } catch {
            Issue.record("\(error)\ngateway stderr: \(network.gatewayLog.suffix(3000))")
        }
        await network.stop()
        try? FileManager.default.removeItem(atPath: local)
    }

    // MARK: Helpers

    /// The gateway's peak resident memory so far, in kB (VmHWM), or -1.
    func gatewayPeak(_ network: GatewayNetwork) -> Int {
        let status =
            network.gatewayPID.flatMap { try? String(contentsOfFile: "/proc/\($0)/status", encoding: .utf8) } ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") } ?? -1
    }

    static func isMounted(_ point: String) -> Bool {
        let mounts = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        return mounts.split(separator: "\n").contains {
            $0.split(separator: " ").dropFirst().first.map(String.init) == point
        }
    }

    /// A signed GET (or HEAD) with curl's own SigV4 (`--aws-sigv4`); the status code.
    func curlS3(
        _ network: GatewayNetwork, _ path: String, output: String, head: Bool = false, method: String = "GET",
        upload: String? = nil, headers: [String] = []
    ) async throws -> Int {
        let outcome = try await runProgram(
            "/usr/bin/curl",
            [
                "-sS", "-o", output, "-w", "%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:s3",
                "--user", "\(network.fullKey["access_key_id"] ?? ""):\(network.fullKey["secret_access_key"] ?? "")",
                "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
            ] + headers.flatMap { ["-H", $0] } + (head ? ["-I"] : ["-X", method])
                + (upload.map { ["--data-binary", "@" + $0] } ?? [])
                + [network.url + path], timeout: 60)
        return Int(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// `bytes` random bytes written to `path` 1 MiB at a time.
    func writeRandom(_ path: String, bytes: Int) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var generator = SplitMix64(seed: UInt64(bytes))
        var left = bytes
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while left > 0 {
            let count = min(left, chunk.count)
            for index in stride(from: 0, to: count, by: 8) {
                let word = generator.next()
                for byte in 0..<min(8, count - index) {
                    chunk[index + byte] = UInt8(truncatingIfNeeded: word >> (8 * byte))
                }
            }
            try handle.write(contentsOf: chunk[..<count])
            left -= count
        }
    }

    /// The same relative files with the same bytes under both folders.
    func expectSameTree(_ one: String, _ other: String) throws {
        func files(_ root: String) -> [String] {
            let walker = FileManager.default.enumerator(atPath: root)
            var out: [String] = []
            while let name = walker?.nextObject() as? String {
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isFolder),
                    !isFolder.boolValue
                {
                    out.append(name)
                }
            }
            return out.sorted()
        }
        let names = files(one)
        #expect(names == files(other), "\(names) against \(files(other))")
        for name in names {
            #expect(
                FileManager.default.contents(atPath: one + "/" + name)
                    == FileManager.default.contents(atPath: other + "/" + name), "\(name) differs")
        }
    }
}
