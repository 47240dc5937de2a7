import Foundation
import TestProcesses
import Testing

/// `blob mount` with a real FUSE mount over a real testnet: the everyday tools (`cp -r`, `rsync -a`,
/// `tar`, `sha256sum -c`, `mv`, `dd conv=notrunc`, `rm -r`) inside the mount, what a new mount process
/// and `blob ls -R` see afterwards, reads with two blobbers stopped, a small cache under a copy four
/// times its size, and `kill -9` with uncommitted changes that the next mount commits.
@Suite("blob mount", .serialized)
struct MountTests {
    /// Why the mount tests cannot run here, or nil.
    static var missing: String? {
        if !FileManager.default.fileExists(atPath: "/dev/fuse") { return "/dev/fuse is absent" }
        for tool in ["fusermount3", "rsync"]
        where !["/usr/bin/", "/bin/", "/usr/local/bin/"].contains(where: {
            FileManager.default.isExecutableFile(atPath: $0 + tool)
        }) {
            return "\(tool) is not installed (scripts/install-deps.sh, scripts/install-test-tools.sh)"
        }
        return nil
    }

    @Test("cp -r, rsync, tar, sha256sum, mv, dd, rm -r; remount, ls -R, two blobbers down, small cache, kill -9")
    func filesystem() async throws {
        if let missing = Self.missing {
            let required = ProcessInfo.processInfo.environment["BLOB_TEST_REQUIRE_TOOLS"] == "1"
            #expect(!required, "MountTests: \(missing)")
            print("MountTests: \(missing); skipped")
            return
        }
        let network = try await Testnet()
        let story = MountStory(network: network)
        do {
            try await story.run()
        } catch {
            await story.cleanUp()
            await network.down()
            throw error
        }
        await story.cleanUp()
        await network.down()
    }
}

/// One mount process, ended by its PID.
final class MountProcess: Sendable {
    let child: ChildProcess
    let point: String

    init(network: Testnet, point: String, cache: String, extra: [String] = []) async throws {
        self.point = point
        child = try ChildProcess(
            Testnet.binaries + "/blob",
            ["mount", point, "--foreground", "--cache", cache]
                + (extra.contains("--flush-after") ? [] : ["--flush-after", "1s"]) + extra,
            environment: ["BLOB_HOME": network.home])
        let up = try await eventually(timeout: 60) { Self.isMounted(point) || !child.isRunning }
        guard up, child.isRunning else {
            throw TestFailure("blob mount did not start: \(child.stdout) \(child.stderr)")
        }
    }

    static func isMounted(_ point: String) -> Bool {
        let mounts = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        return mounts.split(separator: "\n").contains {
            $0.split(separator: " ").dropFirst().first.map(String.init) == point
        }
    }

    /// `blob umount`, then the process must end by itself with status 0.
    func unmount(network: Testnet) async throws {
        let outcome = try await runProgram(
            Testnet.binaries + "/blob", ["umount", point], environment: ["BLOB_HOME": network.home], timeout: 300)
        #expect(outcome.status == 0, "blob umount: \(outcome.stdout) \(outcome.stderr)")
        let status = await child.wait(timeout: 120)
        #expect(status == 0, "the mount process ended with \(String(describing: status)): \(child.stderr)")
    }

    /// Whatever happened: the process killed and the mount point released.
    func abandon() async {
        child.kill9()
        if Self.isMounted(point) { _ = try? await runProgram("/usr/bin/env", ["fusermount3", "-uz", point]) }
    }
}

struct MountStory {
    let network: Testnet
    let scratch = temporaryDirectory("mount")
    let mounts = Locked<[MountProcess]>([])

    var point: String { scratch + "/mnt" }

    func cleanUp() async {
        for mount in mounts.withLock({ $0 }) { await mount.abandon() }
        try? FileManager.default.removeItem(atPath: scratch)
    }

    func mount(cache: String, extra: [String] = []) async throws -> MountProcess {
        let mount = try await MountProcess(network: network, point: point, cache: cache, extra: extra)
        mounts.withLock { $0.append(mount) }
        return mount
    }

    /// `sh -c script` in the scratch folder; fails the test on a non-zero status.
    @discardableResult
    func sh(_ script: String, timeout: Double = 600) async throws -> String {
        let outcome = try await runProgram("/bin/sh", ["-c", "cd '\(scratch)' && " + script], timeout: timeout)
        try #require(outcome.status == 0, "\(script): \(outcome.stdout) \(outcome.stderr)")
        return outcome.stdout
    }

    func remoteFiles() async throws -> Set<String> {
        let listed = try await network.blob(["ls", "-R", "/"])
        try #require(listed.status == 0, "\(listed.stdout) \(listed.stderr)")
        let files = try #require(listed.json["files"] as? [[String: Any]])
        return Set(files.compactMap { $0["path"] as? String })
    }

    func run() async throws {
        let created = try await network.blob(["alloc", "new", "--data", "4", "--parity", "2", "--size", "4GiB"])
        try #require(created.status == 0, "\(created.stdout) \(created.stderr)")
        try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)

        // A tree of 200 files of mixed sizes (empty to 64 MiB) in nested folders, 166 MiB in all (random
        // bytes from the kernel: the test's own generator is slow in a debug build).
        let source = scratch + "/src"
        var script = ""
        for index in 0..<200 {
            let folder = source + "/d\(index % 4)" + (index % 3 == 0 ? "/sub" : "")
            let size =
                index % 100 == 7 ? 64 << 20 : index % 20 == 7 ? 3 << 20 : index % 10 == 3 ? 300_000 + index
                : (index * 997) % 20_000
            script += "mkdir -p '\(folder)' && head -c \(size) /dev/urandom > '\(folder)/f\(index).bin'\n"
        }
        try await sh(script)
        try await sh("cd src && find . -type f | sort | xargs sha256sum > ../sums")

        let cache = scratch + "/cache"
        // At most 8 paths a commit: the copy, and the deletes of `rm -r` below, go out as many commits.
        var mounted = try await mount(cache: cache, extra: ["--paths-per-commit", "8"])
        try await sh("cp -r src mnt/tree")
        try await sh("rsync -a src/ mnt/tree/")
        // Sizes and times now agree: a second rsync sends nothing.
        let again = try await sh("rsync -a --itemize-changes src/ mnt/tree/")
        #expect(again.isEmpty, "rsync sent changes again: \(again)")
        try await sh("mkdir mnt/copy && tar -C mnt -cf - tree | tar -C mnt/copy -xf -")
        try await sh(
            "cd mnt/tree && sha256sum --quiet -c ../../sums && cd ../copy/tree && sha256sum --quiet -c ../../../sums")
        // The same edits through the mount and on a local copy of what is expected.
        try await sh("cp -r src expected && mkdir expected-copy && cp -r src expected-copy/tree")
        try await sh("mv mnt/copy/tree/d1 mnt/copy/tree/moved && mv expected-copy/tree/d1 expected-copy/tree/moved")
        for target in ["mnt/tree", "expected"] {
            try await sh(
                "printf 'EDITED IN THE MIDDLE' | dd of=\(target)/d3/f67.bin bs=1 seek=1000000 conv=notrunc 2>/dev/null")
        }
        try await sh("rm -r mnt/copy/tree/d2 && rm -r expected-copy/tree/d2")
        try await sh("cmp mnt/tree/d3/f67.bin expected/d3/f67.bin")
        try await mounted.unmount(network: network)
        #expect(!MountProcess.isMounted(point))
        // Every commit the mount logged named at most 8 paths, and the deletes took several commits.
        let commits = Self.loggedCommits(mounted.child.stderr)
        #expect(commits.count >= 25, "\(commits.count) commits for 200 files at 8 paths a commit")
        #expect(commits.allSatisfy { $0.uploads + $0.deletes + 2 * $0.renames <= 8 }, "\(commits)")
        #expect(commits.filter { $0.deletes > 0 }.count >= 2, "\(commits)")

        // A new process with an empty read cache sees every byte.
        mounted = try await mount(cache: cache)
        try await sh("diff -r expected mnt/tree && diff -r expected-copy mnt/copy")
        let local = try await sh("cd mnt && find . -type f | sed 's|^\\.||' | sort")
        let remote = try await remoteFiles()
        #expect(Set(local.split(separator: "\n").map(String.init)) == remote)
        #expect(remote.contains("/copy/tree/moved/f1.bin") && !remote.contains("/copy/tree/d1/f1.bin"))
        // Another client's upload and delete show without a remount, once the listing is 2 s old.
        try writeRandomFile(scratch + "/fresh.bin", count: 100_000, seed: 5)
        let fresh = try await network.blob(["upload", scratch + "/fresh.bin", "/fresh.bin"])
        try #require(fresh.status == 0, "\(fresh.stdout) \(fresh.stderr)")
        #expect(try await eventually(timeout: 30) { try await sh("ls mnt").contains("fresh.bin") })
        try await sh("cmp fresh.bin mnt/fresh.bin")
        let removed = try await network.blob(["rm", "/fresh.bin"])
        try #require(removed.status == 0, "\(removed.stdout) \(removed.stderr)")
        #expect(try await eventually(timeout: 30) { try await !sh("ls mnt").contains("fresh.bin") })
        // A file deleted while a program still reads it (libfuse keeps it as `.fuse_hidden…` until the last
        // close), with a flush in between: to the network it is deleted, never a file by that name.
        try await sh("cp expected/d3/f67.bin mnt/open.bin && sync mnt/open.bin")
        #expect(try await remoteFiles().contains("/open.bin"))
        try await sh("exec 3< mnt/open.bin; rm mnt/open.bin; head -c 10 <&3 > /dev/null; sync mnt/tree/d3/f67.bin; exec 3<&-")
        let afterOpenDelete = try await remoteFiles()
        #expect(!afterOpenDelete.contains("/open.bin") && !afterOpenDelete.contains { $0.contains(".fuse_hidden") }, "\(afterOpenDelete)")
        try await mounted.unmount(network: network)
        #expect(try await !remoteFiles().contains { $0.contains(".fuse_hidden") })

        // What `blob` uploads, the mount reads; what the mount wrote, `blob download` reads.
        try writeRandomFile(scratch + "/outside.bin", count: 200_000, seed: 99)
        let upload = try await network.blob(["upload", scratch + "/outside.bin", "/outside.bin"])
        try #require(upload.status == 0, "\(upload.stdout) \(upload.stderr)")
        let sealed = try await network.blob(["upload", "--encrypt", scratch + "/outside.bin", "/sealed.bin"])
        try #require(sealed.status == 0, "\(sealed.stdout) \(sealed.stderr)")
        let download = try await network.blob(["download", "/tree/d3/f67.bin", scratch + "/f67.bin"])
        try #require(download.status == 0, "\(download.stdout) \(download.stderr)")
        try await sh("cmp f67.bin expected/d3/f67.bin")

        // Two blobbers stopped: a new mount still reads everything (parity rebuilds the rest).
        try await network.ctl("stop", 1)
        try await network.ctl("stop", 2)
        mounted = try await mount(cache: cache, extra: ["--read-only"])
        try await sh(
            "diff -r expected mnt/tree && diff -r expected-copy mnt/copy && cmp outside.bin mnt/outside.bin && cmp outside.bin mnt/sealed.bin"
        )
        try await mounted.unmount(network: network)
        try await network.ctl("start", 1)
        try await network.ctl("start", 2)

        try await smallCache()
        try await crash()
    }

    /// A 64 MiB cache while 512 MiB are copied in: the folder never holds more, and every byte arrives.
    func smallCache() async throws {
        try await sh("mkdir big && for i in $(seq 0 31); do head -c 16777216 /dev/urandom > big/b$i.bin; done")
        let big = scratch + "/big"
        let cache = scratch + "/small-cache"
        let limit = 64 << 20
        let mounted = try await mount(cache: cache, extra: ["--cache-size", "64MiB"])
        // The folder is sampled by a shell loop beside the copy, not by this test's tasks: on a loaded
        // machine the test's own sleeps can stall for the whole copy and see nothing.
        let copy = try ChildProcess(
            "/bin/bash",
            [
                "-c",
                """
                cp -r '\(big)' '\(point)/big' & copier=$!
                largest=0; samples=0
                while kill -0 $copier 2>/dev/null && [ $samples -lt 20000 ]; do
                    bytes=$(find '\(cache)/data' -maxdepth 1 -type f -printf '%s\\n' 2>/dev/null | awk '{s += $1} END {print s + 0}')
                    [ "$bytes" -gt "$largest" ] && largest=$bytes
                    samples=$((samples + 1)); sleep 0.02
                done
                wait $copier; status=$?
                echo "$largest $samples"; exit $status
                """,
            ])
        #expect(await copy.wait(timeout: 900) == 0, "cp: \(copy.stderr)")
        let figures = copy.stdout.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        let largest = figures.first ?? 0
        let samples = figures.count > 1 ? figures[1] : 0
        #expect(samples > 0, "\(copy.stdout)")
        // The copy went through the cache: it held data, and more than once had to drop what was committed.
        #expect(largest > limit / 2, "the cache folder held at most \(largest) bytes")
        FileHandle.standardError.write(
            Data("MountTests: cache folder peak \(largest) bytes in \(samples) samples\n".utf8))
        #expect(largest <= limit, "the cache folder held \(largest) bytes, over its 64 MiB")
        try await mounted.unmount(network: network)
        #expect(Self.folderBytes(cache + "/data") <= limit)
        let check = try await self.mount(
            cache: cache, extra: ["--cache-size", "64MiB", "--sync-on-close", "--flush-after", "600s"])
        try await sh("diff -r big mnt/big && printf 'last' > mnt/big/last.txt", timeout: 900)
        // --sync-on-close: the file is committed when closed, long before --flush-after.
        #expect(try await remoteFiles().contains("/big/last.txt"))
        // SIGTERM: the mount commits what is left, unmounts and exits 0.
        #expect(await check.child.stop(timeout: 120), "the mount did not end on SIGTERM")
        #expect(check.child.exitStatus == 0, "\(check.child.stderr)")
        #expect(!MountProcess.isMounted(point))
        #expect(try await remoteFiles().contains("/big/last.txt"))
    }

    /// `kill -9` with changes not committed: nothing reached the blobbers; the next mount commits it all.
    func crash() async throws {
        let cache = scratch + "/crash-cache"
        let mounted = try await mount(cache: cache, extra: ["--flush-after", "600s"])
        // fsync returns once the change is committed (coreutils `sync FILE` calls fsync).
        try await sh("printf 'synced' > mnt/synced.txt && sync mnt/synced.txt")
        #expect(try await remoteFiles().contains("/synced.txt"))
        try writeRandomFile(scratch + "/late.bin", count: 1_500_000, seed: 7)
        try await sh("cp late.bin mnt/late.bin && mv mnt/outside.bin mnt/renamed.bin && rm mnt/tree/d0/f4.bin")
        try await sh("printf 'changed' | dd of=mnt/tree/d3/f67.bin bs=1 seek=10 conv=notrunc 2>/dev/null")
        try await sh("printf 'unsynced' > mnt/synced.txt")
        mounted.child.kill9()
        _ = try await runProgram("/usr/bin/env", ["fusermount3", "-uz", point])
        let before = try await remoteFiles()
        #expect(!before.contains("/late.bin") && before.contains("/outside.bin") && before.contains("/tree/d0/f4.bin"))

        let again = try await self.mount(cache: cache)
        try await again.unmount(network: network)
        let after = try await remoteFiles()
        #expect(after.contains("/late.bin") && after.contains("/renamed.bin"))
        #expect(!after.contains("/outside.bin") && !after.contains("/tree/d0/f4.bin"))
        let late = try await network.blob(["download", "/late.bin", scratch + "/late.back"])
        try #require(late.status == 0, "\(late.stdout) \(late.stderr)")
        try await sh("cmp late.bin late.back")
        let renamed = try await network.blob(["download", "/renamed.bin", scratch + "/renamed.back"])
        try #require(renamed.status == 0, "\(renamed.stdout) \(renamed.stderr)")
        try await sh("cmp outside.bin renamed.back")
        try await sh("printf 'changed' | dd of=expected/d3/f67.bin bs=1 seek=10 conv=notrunc 2>/dev/null")
        let edited = try await network.blob(["download", "/tree/d3/f67.bin", scratch + "/f67.back"])
        try #require(edited.status == 0, "\(edited.stdout) \(edited.stderr)")
        try await sh("cmp f67.back expected/d3/f67.bin")
        let synced = try await network.blob(["download", "/synced.txt", scratch + "/synced.back"])
        try #require(synced.status == 0, "\(synced.stdout) \(synced.stderr)")
        #expect(try String(contentsOfFile: scratch + "/synced.back", encoding: .utf8) == "unsynced")
    }

    /// The commits a mount logged (`committing` lines with their counts of uploads, deletes and renames).
    static func loggedCommits(_ log: String) -> [(uploads: Int, deletes: Int, renames: Int)] {
        func count(_ name: String, in line: Substring) -> Int? {
            guard let range = line.range(of: name + "=") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        return log.split(separator: "\n").filter { $0.contains("committing") }.compactMap { line in
            guard let uploads = count("mount.uploads", in: line), let deletes = count("mount.deletes", in: line),
                let renames = count("mount.renames", in: line)
            else { return nil }
            return (uploads, deletes, renames)
        }
    }

    /// Bytes of the files in `folder` (their sizes, as the cache counts them).
    static func folderBytes(_ folder: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.reduce(0) { total, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: folder + "/" + name))?[.size] as? Int
            return total + (size ?? 0)
        }
    }
}
