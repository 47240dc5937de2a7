import Client
import Merkle
import StorageProtocol
import TestProcesses
import Testing

@Suite struct WriteConsensusTests {
    static func marker(_ index: Int) -> WriteMarker {
        WriteMarker(
            allocationID: AllocationID(.zero), blobberID: BlobberID(SHA256.hash([UInt8(index)])),
            clientID: ClientID(.zero),
            sequence: 1, allocationRoot: .zero, previousAllocationRoot: .zero, fileMetaRoot: .zero, size: 0,
            chainSize: 0,
            chainHash: .zero, timestamp: 0)
    }

    /// Every pattern of staging and commit failures over 4+2: success exactly when k+1 commit,
    /// rollback of exactly the committed ones otherwise, never a commit with fewer than k+1 staged.
    @Test func dataPlusOneOverEveryFailurePattern() {
        let n = 6
        let k = 4
        for stageMask in 0..<(1 << n) {
            for commitMask in 0..<(1 << n) {
                var consensus = WriteConsensus(blobbers: n, dataShards: k)
                for index in 0..<n {
                    if stageMask & (1 << index) != 0 {
                        consensus.staged(index)
                    } else {
                        consensus.failed(index, "down")
                    }
                }
                let commitSet = consensus.finishStaging()
                let staged = (0..<n).filter { stageMask & (1 << $0) != 0 }
                guard staged.count >= k + 1 else {
                    #expect(commitSet.isEmpty)
                    #expect(consensus.phase == .abandoned)
                    continue
                }
                #expect(commitSet == staged)
                for index in commitSet where commitMask & (1 << index) != 0 {
                    consensus.committed(index, marker: Self.marker(index))
                }
                let committed = commitSet.filter { commitMask & (1 << $0) != 0 }
                let rollback = consensus.finishCommits()
                if committed.count >= k + 1 {
                    #expect(consensus.phase == .succeeded)
                    #expect(rollback.isEmpty)
                    #expect(consensus.missed == (0..<n).filter { !committed.contains($0) })
                } else {
                    #expect(consensus.phase == .rollingBack)
                    #expect(rollback == committed)
                    #expect(consensus.missed.isEmpty)
                }
            }
        }
    }
}
