import ArgumentParser
import Client
import Foundation
import Logging
import Mount
import ServerRuntime
import StorageProtocol

/// `blob mount`: the allocation as a filesystem (the `Mount` library does the work; this parses the
/// options, opens the allocation and runs the session on a thread of its own).
struct MountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mount",
        abstract: "Mount the allocation as a filesystem (FUSE), with a bounded local write-back cache.",
        discussion: """
            Reads fetch only the stripes they need, verified; writes land in the cache folder and are \
            committed (one commit per blobber for many changes) after --flush-after of quiet, on fsync, \
            on close with --sync-on-close, and at unmount (`blob umount MOUNTPOINT`, `fusermount3 -u`, \
            SIGTERM). Changes left by a crash are committed by the next mount with the same cache folder.
            """)
    @OptionGroup var options: GlobalOptions
    @Option(help: "Allocation id (default: the default allocation).") var alloc: String?
    @Option(help: "Cache folder (default: HOME/mounts/ALLOCATION).") var cache: String?
    @Option(name: .customLong("cache-size"), help: "Most bytes the cache folder holds, e.g. 2GiB.")
    var cacheSize = "2GiB"
    @Option(name: .customLong("flush-after"), help: "Quiet time before changes are committed, e.g. 5s.")
    var flushAfter = "5s"
    @Flag(name: .customLong("read-only"), help: "Refuse every change.") var readOnly = false
    @Flag(help: "Stay in the foreground until unmounted (else the mount runs in the background).")
    var foreground = false
    @Flag(name: .customLong("sync-on-close"), help: "Commit a file's changes when it is closed after writing.")
    var syncOnClose = false
    @Flag(help: "Encrypt the files written through the mount.") var encrypt = false
    @Option(name: .customLong("paths-per-commit"), help: "Most paths one commit names (2...10000).")
    var pathsPerCommit = 4000
    @Argument(help: "Empty folder to mount at.") var mountpoint: String

    func validate() throws {
        guard let size = Sizes.parseBytes(cacheSize), size >= 1 << 20 else {
            throw ValidationError("--cache-size must be a size of at least 1MiB, e.g. 2GiB")
        }
        _ = size
        guard (2...ProofsRequest.maxPaths).contains(pathsPerCommit) else {
            throw ValidationError("--paths-per-commit must be between 2 and \(ProofsRequest.maxPaths)")
        }
        guard Sizes.parseDuration(flushAfter) != nil else {
            throw ValidationError("--flush-after must be like 5s or 1m")
        }
    }

    func run() async throws {
        let target = URL(fileURLWithPath: mountpoint).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue else {
            mountFail("the mount point \(target) is not a folder")
        }
        if MountRegistry.isMounted(target) { mountFail("\(target) is mounted already (`blob umount \(target)`)") }
        let home = ClientHome(explicit: options.home)
        let registry = MountRegistry(home: home, mountpoint: target)
        if !foreground {
            try runInBackground(registry: registry, target: target)
            return
        }
        ServerLogging(format: .text, level: .info).bootstrap()
        let logger = Logger(label: "blob.mount")
        let client: BlobClient
        do throws(ClientError) {
            client = try await CommandContext(options).client(alloc)
        } catch {
            mountFail(error.description)
        }
        let configuration = WriteBackFilesystem.Configuration(
            cacheFolder: cache ?? home.path + "/mounts/" + client.id.hex,
            cacheLimit: Sizes.parseBytes(cacheSize)!,
            flushAfter: .milliseconds(Sizes.parseDuration(flushAfter)!), readOnly: readOnly,
            syncOnClose: syncOnClose, encrypt: encrypt, pathsPerCommit: pathsPerCommit)
        let failure: String? = await withCheckedContinuation { continuation in
            // The filesystem blocks its callers' threads: it runs on threads of its own, never Swift's pool.
            let thread = Thread {
                continuation.resume(
                    returning: Self.serve(
                        client: client, configuration: configuration, target: target, registry: registry,
                        logger: logger))
            }
            thread.name = "blob-mount"
            thread.start()
        }
        if let failure { mountFail(failure) }
    }

    /// Mounts, serves until unmounted, commits what is left. Returns a failure to report, or nil.
    static func serve(
        client: BlobClient, configuration: WriteBackFilesystem.Configuration, target: String,
        registry: MountRegistry, logger: Logger
    ) -> String? {
        let filesystem = WriteBackFilesystem(client: client, configuration: configuration, logger: logger)
        do throws(MountError) {
            let recovered = try filesystem.start()
            if recovered > 0 {
                logger.info("committing changes a previous mount left", metadata: ["mount.files": "\(recovered)"])
            }
            let session = FuseSession(operations: filesystem, mountpoint: target, readOnly: configuration.readOnly)
            try session.mount()
            registry.register()
            FileHandle.standardOutput.write(
                Data("mounted allocation \(client.id.hex) at \(target) (cache \(configuration.cacheFolder))\n".utf8))
            session.run()
            logger.info("unmounted; committing what is left")
            do throws(MountError) {
                try filesystem.stop()
            } catch {
                registry.unregister(failure: error.description)
                return error.description
            }
            registry.unregister(failure: nil)
            FileHandle.standardOutput.write(Data("unmounted \(target); every change committed\n".utf8))
            return nil
        } catch {
            try? filesystem.stop()
            registry.unregister(failure: error.description)
            return error.description
        }
    }

    /// Starts this command again with --foreground, detached, and returns once the folder is mounted.
    func runInBackground(registry: MountRegistry, target: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = Array(CommandLine.arguments.dropFirst()) + ["--foreground"]
        process.standardInput = FileHandle.nullDevice
        try FileManager.default.createDirectory(atPath: registry.folder, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: registry.logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: registry.logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        for _ in 0..<1200 {
            if MountRegistry.isMounted(target) {
                print("mounted at \(target) (process \(process.processIdentifier); log \(registry.logPath))")
                return
            }
            if !process.isRunning { break }
            usleep(100_000)
        }
        let text = (try? String(contentsOfFile: registry.logPath, encoding: .utf8)) ?? ""
        mountFail("the mount did not start:\n\(text)")
    }
}

/// `blob umount`: unmounts, then waits for the mount's process to commit what is left.
struct UnmountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "umount", abstract: "Unmount a `blob mount`, once its changes are committed.")
    @OptionGroup var options: GlobalOptions
    @Option(help: "Seconds to wait for the changes to be committed.") var timeout: Double = 600
    @Argument(help: "The mount point.") var mountpoint: String

    func run() async throws {
        let target = URL(fileURLWithPath: mountpoint).standardizedFileURL.path
        let registry = MountRegistry(home: ClientHome(explicit: options.home), mountpoint: target)
        guard MountRegistry.isMounted(target) else { mountFail("\(target) is not mounted") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["fusermount3", "-u", target]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { mountFail("fusermount3 -u \(target) failed") }
        let deadline = ContinuousClock.now + .seconds(timeout)
        while registry.isRegistered && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        if registry.isRegistered { mountFail("unmounted, but the mount's process has not finished committing yet") }
        if let failure = registry.failure { mountFail("unmounted, but \(failure)") }
        print("unmounted \(target); every change committed")
    }
}

/// Where a running mount says it runs (a PID file by mount point, in HOME/mounts), so `blob umount`
/// can wait for its final commit; and the failure it ended with, if any.
struct MountRegistry {
    let folder: String
    let name: String

    init(home: ClientHome, mountpoint: String) {
        folder = home.path + "/mounts"
        name = "at" + mountpoint.replacingOccurrences(of: "/", with: "_")
    }

    var pidPath: String { folder + "/" + name + ".pid" }
    var failurePath: String { folder + "/" + name + ".failed" }
    var logPath: String { folder + "/" + name + ".log" }

    var isRegistered: Bool { FileManager.default.fileExists(atPath: pidPath) }
    var failure: String? { try? String(contentsOfFile: failurePath, encoding: .utf8) }

    func register() {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: failurePath)
        FileManager.default.createFile(atPath: pidPath, contents: Data("\(getpid())\n".utf8))
    }

    func unregister(failure: String?) {
        if let failure { FileManager.default.createFile(atPath: failurePath, contents: Data(failure.utf8)) }
        try? FileManager.default.removeItem(atPath: pidPath)
    }

    /// Whether the kernel lists a FUSE mount at `path`.
    static func isMounted(_ path: String) -> Bool {
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return false }
        return mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 2 && fields[1] == path && fields[2].hasPrefix("fuse")
        }
    }
}

private func mountFail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    Foundation.exit(1)
}
