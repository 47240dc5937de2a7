import Foundation
import TestProcesses
import Testing

/// The S3 API through a real `gateway serve` over a real testnet, driven by aws-cli, curl and boto3,
/// which sign real SigV4 requests.
@Suite struct S3Tests {
    @Test func awsCliBoto3AndRefusals() async throws {
        guard let aws = GatewayNetwork.tool("aws") else {
            #expect(!GatewayNetwork.toolsRequired, "aws-cli is not installed (scripts/install-test-tools.sh)")
            print("S3Tests: aws-cli is not installed; skipped")
            return
        }
        let network = try await GatewayNetwork()
        do {
            try await exercise(network, aws: aws)
        } catch {
            Issue.record("\(error)\ngateway stderr: \(network.gatewayLog.suffix(3000))")
        }
        await network.stop()
    }

    func exercise(_ network: GatewayNetwork, aws: String) async throws {
        let local = temporaryDirectory("gateway-s3")
        defer { try? FileManager.default.removeItem(atPath: local) }
        // Small multipart threshold and parts, so a 12 MiB file goes up in three parts; presigned URLs
        // with SigV4 (aws-cli 1 presigns with SigV2 unless told).
        try """
        [default]
        region = us-east-1
        s3 =
            multipart_threshold = 5MB
            multipart_chunksize = 5MB
            addressing_style = path
            signature_version = s3v4

        """.write(toFile: local + "/aws-config", atomically: true, encoding: .utf8)
        func run(_ arguments: [String], key: [String: String]? = nil, secret: String? = nil) async throws
            -> ProgramOutcome
        {
            let key = key ?? network.fullKey
            return try await runProgram(
                aws, arguments + ["--endpoint-url", network.url],
                environment: [
                    "AWS_ACCESS_KEY_ID": key["access_key_id"] ?? "",
                    "AWS_SECRET_ACCESS_KEY": secret ?? key["secret_access_key"] ?? "",
                    "AWS_CONFIG_FILE": local + "/aws-config", "AWS_SHARED_CREDENTIALS_FILE": local + "/none",
                    "AWS_EC2_METADATA_DISABLED": "true",
                ], timeout: 120)
        }

        #expect(try await run(["s3", "mb", "s3://photos"]).status == 0)
        let small = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try Data(small).write(to: URL(fileURLWithPath: local + "/small.bin"))
        let copied = try await run(["s3", "cp", local + "/small.bin", "s3://photos/2024/small.bin"])
        #expect(copied.status == 0, "\(copied.stderr)")
        let back = try await run(["s3", "cp", "s3://photos/2024/small.bin", local + "/small.back"])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(FileManager.default.contents(atPath: local + "/small.back") == Data(small))

        // Multipart over the threshold, byte-exact back, ETag of three parts.
        try writePattern(local + "/large.bin", count: 12 << 20)
        let large = try await run(["s3", "cp", local + "/large.bin", "s3://photos/large.bin"])
        #expect(large.status == 0, "\(large.stderr)")
        let head = try await run(["s3api", "head-object", "--bucket", "photos", "--key", "large.bin"])
        #expect(head.stdout.contains("-3\\\""), "\(head.stdout)")
        let largeBack = try await run(["s3", "cp", "s3://photos/large.bin", local + "/large.back"])
        #expect(largeBack.status == 0, "\(largeBack.stderr)")
        #expect(
            FileManager.default.contents(atPath: local + "/large.back")
                == FileManager.default.contents(atPath: local + "/large.bin"))

        // sync, ls.
        try FileManager.default.createDirectory(atPath: local + "/album/sub", withIntermediateDirectories: true)
        for name in ["a.txt", "b.txt", "sub/c.txt"] {
            try Data("photo \(name)".utf8).write(to: URL(fileURLWithPath: local + "/album/" + name))
        }
        let synced = try await run(["s3", "sync", local + "/album", "s3://photos/album"])
        #expect(synced.status == 0, "\(synced.stderr)")
        let again = try await run(["s3", "sync", local + "/album", "s3://photos/album"])
        #expect(
            again.status == 0 && !again.stdout.contains("upload:"), "an unchanged sync uploaded again: \(again.stdout)")
        let listed = try await run(["s3", "ls", "--recursive", "s3://photos/"])
        for name in ["2024/small.bin", "large.bin", "album/a.txt", "album/b.txt", "album/sub/c.txt"] {
            #expect(listed.stdout.contains(name), "\(name) not in \(listed.stdout)")
        }
        let buckets = try await run(["s3", "ls"])
        #expect(buckets.stdout.contains("photos"), "\(buckets.stdout)")

        // Presigned GET with curl; a tampered signature is refused.
        let presigned = try await run(["s3", "presign", "s3://photos/2024/small.bin", "--expires-in", "300"])
        let link = presigned.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(presigned.status == 0 && link.hasPrefix(network.url), "\(presigned.stdout) \(presigned.stderr)")
        let fetched = try await runProgram("/usr/bin/curl", ["-sS", "-f", "-o", local + "/presigned.bin", link])
        #expect(fetched.status == 0)
        #expect(FileManager.default.contents(atPath: local + "/presigned.bin") == Data(small))
        let last = link.last == "0" ? "1" : "0"
        let tampered = try await curl([String(link.dropLast()) + last])
        #expect(tampered.status == 403)
        #expect(tampered.body.contains("SignatureDoesNotMatch"))

        // A wrong secret: 403, nothing stored. A key not granted the bucket: 403.
        let forged = try await run(
            ["s3", "cp", local + "/small.bin", "s3://photos/forged.bin"],
            secret: "not-the-secret-not-the-secret-0000000000")
        #expect(forged.status != 0)
        #expect(forged.stderr.contains("SignatureDoesNotMatch") || forged.stderr.contains("403"), "\(forged.stderr)")
        let missing = try await run(["s3api", "head-object", "--bucket", "photos", "--key", "forged.bin"])
        #expect(missing.status != 0 && missing.stderr.contains("404"), "\(missing.stderr)")
        let denied = try await run(["s3", "ls", "s3://photos/"], key: network.limitedKey)
        #expect(denied.status != 0 && denied.stderr.contains("AccessDenied"), "\(denied.stderr)")

        // rm, then the bucket can go once empty.
        #expect(try await run(["s3", "rm", "--recursive", "s3://photos/"]).status == 0)
        let removed = try await run(["s3", "rb", "s3://photos"])
        #expect(removed.status == 0, "\(removed.stderr)")

        // boto3: metadata, ranges, copy, listing pagination, DeleteObjects, multipart and its errors.
        guard let python = Self.pythonWithBoto3() else {
            #expect(!GatewayNetwork.toolsRequired, "boto3 is not installed (scripts/install-test-tools.sh)")
            print("S3Tests: boto3 is not installed; its part skipped")
            return
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "boto3_check.py"
        ).path
        let boto = try await runProgram(
            python,
            [
                script, network.url, network.fullKey["access_key_id"] ?? "", network.fullKey["secret_access_key"] ?? "",
                network.limitedKey["access_key_id"] ?? "", network.limitedKey["secret_access_key"] ?? "",
            ], environment: ["AWS_CONFIG_FILE": local + "/none", "AWS_SHARED_CREDENTIALS_FILE": local + "/none"],
            timeout: 120)
        #expect(boto.status == 0 && boto.stdout.contains("OK"), "boto3: \(boto.stdout) \(boto.stderr.suffix(3000))")
    }

    static func pythonWithBoto3() -> String? {
        for name in ["python3", "python"] {
            guard let python = GatewayNetwork.tool(name) else { continue }
            let check = Process()
            check.executableURL = URL(fileURLWithPath: python)
            check.arguments = ["-c", "import boto3"]
            check.standardError = FileHandle.nullDevice
            guard (try? check.run()) != nil else { continue }
            check.waitUntilExit()
            if check.terminationStatus == 0 { return python }
        }
        return nil
    }

    func writePattern(_ path: String, count: Int) throws {
        var bytes = [UInt8](repeating: 0, count: count)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in 0..<count {
            if index % 8 == 0 {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
            }
            bytes[index] = UInt8(truncatingIfNeeded: state >> (UInt64(index % 8) * 8))
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
