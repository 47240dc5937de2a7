import Dispatch
import Foundation
import GRDB
import StorageProtocol
import Synchronization

/// Signature checks of a chain's markers on every core, before the serial work that needs the write lock
/// (`submit_chain` and `ledger verify`). The serial path keeps every other check, and re-checks
/// signatures itself whenever this one did not vouch for the owner, so a bad marker is still named by its
/// index.
enum MarkerSignatures {
    /// Chains shorter than this are checked inside the transaction: fanning out costs more than it saves.
    static let parallelFrom = 64

    /// Every marker is signed by `owner`; false at the first bad one.
    static func allValid(_ markers: [WriteMarker], owner: PublicKey) -> Bool {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        guard markers.count >= parallelFrom, workers > 1 else {
            return markers.allSatisfy { (try? $0.verifySignature(owner: owner)) != nil }
        }
        let valid = Atomic<Bool>(true)
        let chunk = (markers.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let range = (worker * chunk)..<min(markers.count, (worker + 1) * chunk)
            for index in range {
                guard valid.load(ordering: .relaxed) else { return }
                if (try? markers[index].verifySignature(owner: owner)) == nil {
                    valid.store(false, ordering: .relaxed)
                    return
                }
            }
        }
        return valid.load(ordering: .relaxed)
    }

    /// For a `submit_chain` of at least `parallelFrom` markers on a known allocation whose markers all
    /// verify with its owner's key: that key (read without the write lock: an allocation's owner never
    /// changes, and `submitChain` uses it only when it equals the owner it reads in the transaction).
    static func preverifiedOwner(_ payload: DecodedPayload, database: LedgerDatabase) -> PublicKey? {
        guard case .submitChain(let chain) = payload, chain.markers.count >= parallelFrom else { return nil }
        let owner = try? database.writer.read { db in
            try StateStore(db: db).allocation(chain.allocationID)?.ownerKey
        }
        guard let owner = owner ?? nil, allValid(chain.markers, owner: owner) else { return nil }
        return owner
    }
}
