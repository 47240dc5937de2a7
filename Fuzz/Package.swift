// swift-tools-version: 6.1
// Coverage-guided fuzzing of every decoder of untrusted bytes (libFuzzer), kept out of the main
// package graph. Build and run with `scripts/fuzz.sh`; README.md, "Fuzzing", says more.
import PackageDescription

let package = Package(
    name: "blobnet-fuzz",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "blob-fuzz", targets: ["BlobFuzz"])
    ],
    dependencies: [
        .package(name: "blobnet", path: "..")
    ],
    targets: [
        // One libFuzzer binary; the first argument names the target (`blob-fuzz marker CORPUS ...`).
        .executableTarget(
            name: "BlobFuzz",
            dependencies: [
                .product(name: "Merkle", package: "blobnet"),
                .product(name: "StorageProtocol", package: "blobnet"),
                .product(name: "Gateway", package: "blobnet"),
            ])
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
