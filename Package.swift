// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "blobnet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "blob", targets: ["BlobCommand"]),
        .executable(name: "ledger", targets: ["LedgerCommand"]),
        .executable(name: "blobber", targets: ["BlobberCommand"]),
        .executable(name: "gateway", targets: ["GatewayCommand"]),
        .library(name: "Merkle", targets: ["Merkle"]),
        .library(name: "Erasure", targets: ["Erasure"]),
        .library(name: "StorageProtocol", targets: ["StorageProtocol"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "Blobber", targets: ["Blobber"]),
        .library(name: "Client", targets: ["Client"]),
        .library(name: "Mount", targets: ["Mount"]),
        .library(name: "LedgerAPI", targets: ["LedgerAPI"]),
        .library(name: "Gateway", targets: ["Gateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.86.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // C libraries, each hidden behind one Swift type.
        .systemLibrary(
            name: "CSodium", pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(
            name: "COpenSSLCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CISAL", pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]),
        .systemLibrary(
            name: "CFuse3", pkgConfig: "fuse3",
            providers: [.apt(["libfuse3-dev"])]),

        // Hashes, shard trees, the allocation trie and their proofs.
        .target(name: "Merkle", dependencies: ["COpenSSLCrypto"]),
        // Reed-Solomon over ISA-L.
        .target(name: "Erasure", dependencies: ["CISAL"]),
        // What every party agrees on: keys, IDs, signatures, write markers, stripe encryption, error codes.
        .target(name: "StorageProtocol", dependencies: ["Merkle", "CSodium", "COpenSSLCrypto"]),

        // The ledger as blobbers and clients ask it: one protocol, one HTTP implementation.
        .target(
            name: "LedgerAPI",
            dependencies: [
                "StorageProtocol", "Merkle",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),

        // The ledger: hash-chained log in SQLite, marker-chain verification, challenges, payments, HTTP API.
        .target(
            name: "Ledger",
            dependencies: [
                "StorageProtocol", "Merkle", "LedgerAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // What every server executable shares: text or JSON logs at a level a reload can change, the
        // Prometheus exposition (HELP lines, `_total` counters), SIGHUP/SIGUSR1 reloads.
        .target(
            name: "ServerRuntime",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "LedgerCommand",
            dependencies: [
                "Ledger", "Bench", "StorageProtocol", "Merkle", "ServerRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // The storage node: shard store, commit/rollback, reads with proofs, marker batching, challenge answers.
        .target(
            name: "Blobber",
            dependencies: [
                "StorageProtocol", "Merkle", "LedgerAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]),
        .executableTarget(
            name: "BlobberCommand",
            dependencies: [
                "Blobber", "Bench", "StorageProtocol", "Merkle", "ServerRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // The client library: wallets, allocations, the upload pipeline with data+1 consensus, verified reads, repair.
        .target(
            name: "Client",
            dependencies: [
                "StorageProtocol", "Merkle", "Erasure", "LedgerAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // `blob mount`: an allocation as a FUSE filesystem over `BlobClient`, with a bounded write-back cache.
        .target(
            name: "Mount",
            dependencies: [
                "Client", "StorageProtocol", "Merkle", "CFuse3",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .executableTarget(
            name: "BlobCommand",
            dependencies: [
                "Client", "Mount", "Bench", "Merkle", "Erasure", "StorageProtocol", "ServerRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]),

        // The gateway: Zenswarm's key-value API and an S3-compatible API over the Client library.
        .target(
            name: "Gateway",
            dependencies: [
                "Client", "StorageProtocol", "Merkle", "COpenSSLCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]),
        .executableTarget(
            name: "GatewayCommand",
            dependencies: [
                "Gateway", "Client", "StorageProtocol", "ServerRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]),

        // What `blob bench`, `blobber bench` and `ledger bench` measure: the libraries hold no benchmark code.
        .target(
            name: "Bench",
            dependencies: [
                "Blobber", "Ledger", "Client", "Merkle", "Erasure", "StorageProtocol", "CISAL", "CSodium",
                "COpenSSLCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),

        // Child processes for the multi-process tests: spawned and reaped by PID, bounded waits.
        .target(name: "TestProcesses", path: "Tests/TestProcesses"),
        .testTarget(
            name: "MerkleTests",
            dependencies: ["Merkle", "TestProcesses", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(
            name: "ErasureTests",
            dependencies: ["Erasure", "TestProcesses", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(
            name: "StorageProtocolTests",
            dependencies: [
                "StorageProtocol", "Merkle", "TestProcesses", .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "LedgerTests",
            dependencies: [
                "TestProcesses",
                "LedgerAPI",
                "Ledger", "StorageProtocol", "Merkle", "LedgerCommand",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "BlobberTests",
            dependencies: [
                "TestProcesses",
                "LedgerAPI",
                "Blobber", "StorageProtocol", "Merkle", "BlobberCommand", "LedgerCommand", "Ledger",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "ClientTests",
            dependencies: [
                "TestProcesses",
                "LedgerAPI",
                "Client", "StorageProtocol", "Merkle", "Erasure", "BlobCommand", "BlobberCommand", "LedgerCommand",
                "Ledger",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The gateway as its users reach it: a real testnet, a real `gateway serve`, curl, aws-cli, boto3.
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "TestProcesses", "Gateway", "GatewayCommand", "BlobCommand", "BlobberCommand", "LedgerCommand",
                "Client",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["boto3_check.py"]),
        // The whole network end to end: testnet/up, the blob CLI, faults, ledger verify.
        .testTarget(
            name: "NetworkTests",
            dependencies: ["TestProcesses", "BlobCommand", "BlobberCommand", "LedgerCommand"]),
    ]
)

for target in package.targets where target.type != .system && target.type != .plugin {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .enableUpcomingFeature("ExistentialAny"),
            .enableUpcomingFeature("MemberImportVisibility"),
            .enableUpcomingFeature("InternalImportsByDefault"),
        ]
}
