import TestProcesses

/// Runs the real `ledger` binary built next to the test bundle.
enum LedgerBinary {
    /// `ledger arguments...` to completion, killed by its PID after `timeout` seconds.
    static func run(_ arguments: [String], timeout: Double = 60) async throws -> ProgramOutcome {
        try await runProgram(builtBinary("ledger"), arguments, timeout: timeout)
    }
}
