import ArgumentParser
import Foundation
import Ledger

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replay the whole log from genesis and compare the replayed state with the stored one.")

    @OptionGroup var data: DataOptions

    func run() async throws {
        let path = (data.directory as NSString).appendingPathComponent("ledger.sqlite")
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no ledger at \(path)")
        }
        do {
            let summary = try LedgerVerifier.verify(try LedgerDatabase(path: path))
            print(
                "ok: \(summary.blocks) sealed blocks, \(summary.transactions) transactions "
                    + "(\(summary.openTransactions) in the open block), \(summary.markers) markers verified in "
                    + String(format: "%.2f s", summary.seconds) + "; supply conserved: \(summary.supply.minted) minted = "
                    + "\(summary.supply.balances) balances + \(summary.supply.writePools) write pools + "
                    + "\(summary.supply.challengePools) challenge pools + \(summary.supply.stakes) stakes")
        } catch let failure as VerifyFailure {
            FileHandle.standardError.write(Data("verify failed: \(failure)\n".utf8))
            throw ExitCode(2)
        }
    }
}
