/// One fuzz entry point: a decoder of untrusted bytes and the properties its result must have.
///
/// `run` must not trap on any input; a property that fails calls `require`, which traps so that
/// libFuzzer records the input as a crash.
struct FuzzTarget: Sendable {
    var name: String
    var run: @Sendable ([UInt8]) -> Void
    /// Real, valid encodings to start from (the committed corpus is written from these).
    var seeds: @Sendable () -> [[UInt8]]

    static let all: [FuzzTarget] = [
        .hex, .remotePath, .keyFile, .requestAuth, .shareTicket,
        .transaction, .payload, .writeMarker, .markerChain, .blobberAPI,
        .shardProof, .shardRangeProof, .shardTree, .trieProof, .partialTrie, .challengeProof,
        .stripe, .sigV4, .awsChunked,
    ]
}

/// Traps with `message` when a property does not hold.
func require(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError("property failed: \(message())", file: file, line: line) }
}
