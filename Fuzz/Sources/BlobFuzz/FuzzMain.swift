import Foundation

/// libFuzzer's driver, linked in by `-sanitize=fuzzer`. Called from our own `main` so that the first
/// argument can name the target before libFuzzer parses the rest.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target this process runs; set once in `main` before libFuzzer starts calling.
nonisolated(unsafe) var selectedTarget: FuzzTarget?

/// libFuzzer's entry point: one input, any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let target = selectedTarget else { return 0 }
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    target.run(bytes)
    return 0
}

/// SwiftPM links an executable with `main` aliased to `<module>_main`, so this is the process entry.
///
/// `blob-fuzz TARGET [libFuzzer flags] [CORPUS ...]` fuzzes one target;
/// `blob-fuzz --list` prints the target names; `blob-fuzz --write-seeds DIR` writes the seed corpus
/// (`DIR/TARGET/NAME`) from real encodings.
@_cdecl("BlobFuzz_main")
func blobFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    guard let argv, argc >= 2, let first = argv[1].map({ String(cString: $0) }) else {
        return usage()
    }
    switch first {
    case "--list":
        for target in FuzzTarget.all { print(target.name) }
        return 0
    case "--write-seeds":
        guard argc == 3, let folder = argv[2].map({ String(cString: $0) }) else { return usage() }
        return SeedCorpus.write(to: folder)
    default:
        guard let target = FuzzTarget.all.first(where: { $0.name == first }) else {
            printError("blob-fuzz: unknown target \(first)")
            return usage()
        }
        selectedTarget = target
        // libFuzzer sees argv[0] followed by everything after the target name.
        var arguments: [UnsafeMutablePointer<CChar>?] = [argv[0]] + (2..<Int(argc)).map { argv[$0] } + [nil]
        var count = CInt(arguments.count - 1)
        return arguments.withUnsafeMutableBufferPointer { buffer in
            var pointer = buffer.baseAddress
            return runFuzzerDriver(&count, &pointer) { data, size in fuzzOneInput(data, size) }
        }
    }
}

private func usage() -> CInt {
    printError(
        """
        usage: blob-fuzz TARGET [libFuzzer flags] [CORPUS ...]
               blob-fuzz --list
               blob-fuzz --write-seeds DIR
        targets: \(FuzzTarget.all.map(\.name).joined(separator: " "))
        """)
    return 2
}

private func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
