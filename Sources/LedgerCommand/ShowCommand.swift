import ArgumentParser
import Foundation
import Ledger
import StorageProtocol

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print blobbers, allocations, balances, recent blocks and challenges.")

    @OptionGroup var data: DataOptions
    @Flag(help: "One JSON object instead of text.") var json = false
    @Option(help: "How many recent blocks to show.") var blocks: Int = 10

    struct Snapshot: Codable {
        var supply: SupplyTotals
        var blobbers: [BlobberRecord]
        var allocations: [AllocationView]
        var accounts: [AccountView]
        var recentBlocks: [Block]
        var challenges: [ChallengeRecord]

        enum CodingKeys: String, CodingKey {
            case supply, blobbers, allocations, accounts, challenges
            case recentBlocks = "recent_blocks"
        }
    }

    func run() async throws {
        let path = (data.directory as NSString).appendingPathComponent("ledger.sqlite")
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no ledger at \(path)") }
        let reader = LedgerReader(database: try LedgerDatabase(path: path))
        var allocations = [AllocationView]()
        for allocation in try await reader.allocations() {
            allocations.append(try await reader.allocation(allocation.id))
        }
        let snapshot = Snapshot(
            supply: try await reader.supplyTotals(), blobbers: try await reader.blobbers(), allocations: allocations,
            accounts: try await reader.accounts(), recentBlocks: try await reader.recentBlocks(limit: blocks),
            challenges: try await reader.challenges())
        if json {
            print(TransactionCoding.encodeText(snapshot))
            return
        }
        let s = snapshot.supply
        print("supply: minted \(s.minted) = balances \(s.balances) + write pools \(s.writePools) + challenge pools \(s.challengePools) + stakes \(s.stakes)")
        print("blobbers (\(snapshot.blobbers.count)):")
        for b in snapshot.blobbers {
            print("  \(b.id)  \(b.url)  \(b.region)  used \(b.used)/\(b.capacity)  write \(b.writePrice)/GiB  stake \(b.stake)")
        }
        print("allocations (\(snapshot.allocations.count)):")
        for view in snapshot.allocations {
            let a = view.allocation
            print("  \(a.id)  owner \(a.ownerID)  \(a.dataShards)+\(a.parityShards)  size \(a.size)  expiry \(a.expiry)  pool \(a.writePool)\(a.finalized ? "  finalized" : "")")
            for b in view.blobbers {
                print("    [\(b.shardIndex)] \(b.blobberID)  seq \(b.head.sequence)  chain_size \(b.head.chainSize)  paid \(b.paid)  challenge pool \(b.challengePool)")
            }
        }
        print("accounts (\(snapshot.accounts.count)):")
        for account in snapshot.accounts { print("  \(account.id)  \(account.balance)") }
        print("recent blocks:")
        for block in snapshot.recentBlocks {
            print("  #\(block.height)  \(block.hash)  txs \(block.txCount)  state \(block.stateRoot)")
        }
        print("challenges (\(snapshot.challenges.count)):")
        for c in snapshot.challenges { print("  \(c.id)  \(c.blobberID)  \(c.status.rawValue)  deadline \(c.deadline)") }
    }
}
