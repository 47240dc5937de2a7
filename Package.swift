// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "blobnet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "blob", targets: ["BlobCommand"]),
        .library(name: "Merkle", targets: ["Merkle"]),
        .library(name: "Erasure", targets: ["Erasure"]),
        .library(name: "StorageProtocol", targets: ["StorageProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
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

        // Hashes, shard trees, the allocation trie and their proofs.
        .target(name: "Merkle", dependencies: ["COpenSSLCrypto"]),
        // Reed-Solomon over ISA-L.
        .target(name: "Erasure", dependencies: ["CISAL"]),
        // What every party agrees on: keys, IDs, signatures, write markers, stripe encryption, error codes.
        .target(name: "StorageProtocol", dependencies: ["Merkle", "CSodium", "COpenSSLCrypto"]),

        .executableTarget(
            name: "BlobCommand",
            dependencies: [
                "Merkle", "Erasure", "StorageProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(
            name: "MerkleTests",
            dependencies: ["Merkle", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(
            name: "ErasureTests",
            dependencies: ["Erasure", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(
            name: "StorageProtocolTests",
            dependencies: [
                "StorageProtocol", "Merkle", .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
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
