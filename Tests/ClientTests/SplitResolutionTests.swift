import Client
import Merkle
import Testing

/// The rule that picks the state a split resolves to (docs/PROTOCOL.md 10.8), without I/O.
@Suite struct SplitResolutionTests {
    static let old = SHA256.hash([1])
    static let new = SHA256.hash([2])
    static let other = SHA256.hash([3])

    static func at(_ index: Int, _ root: Hash, _ time: Int64?, undoTo: Hash? = nil) -> SplitResolution.Observed {
        .init(index: index, fileMetaRoot: root, signedAt: time, undoTo: undoTo)
    }

    @Test func aThreeThreeSplitOfANewWriteGoesBackByUndo() {
        // Killed after 3 of 6 commits with k = 4: the newer state has 3 holders; the 3 can undo.
        let observed = (0..<3).map { Self.at($0, Self.new, 200, undoTo: Self.old) } + (3..<6).map { Self.at($0, Self.old, 100) }
        let resolution = SplitResolution(observed, dataShards: 4)
        #expect(resolution.chosen?.fileMetaRoot == Self.old)
        #expect(resolution.chosen?.holders == [3, 4, 5])
        #expect(resolution.undo == [0, 1, 2])
        #expect(resolution.candidates.map(\.fileMetaRoot) == [Self.new, Self.old])
    }

    @Test func aNewStateThatKBlobbersHoldWins() {
        let observed = (0..<4).map { Self.at($0, Self.new, 200, undoTo: Self.old) } + (4..<6).map { Self.at($0, Self.old, 100) }
        let resolution = SplitResolution(observed, dataShards: 4)
        #expect(resolution.chosen?.fileMetaRoot == Self.new)
        #expect(resolution.undo.isEmpty)
    }

    @Test func anInterruptedRollbackResolvesToTheStateItWasRollingBackTo() {
        // 4 committed (t 200), 2 of them rolled back (t 300), 2 never committed (t 100).
        let observed = [
            Self.at(0, Self.old, 300), Self.at(1, Self.old, 300), Self.at(2, Self.new, 200, undoTo: Self.old),
            Self.at(3, Self.new, 200, undoTo: Self.old), Self.at(4, Self.old, 100), Self.at(5, Self.old, 100),
        ]
        let resolution = SplitResolution(observed, dataShards: 4)
        #expect(resolution.chosen?.fileMetaRoot == Self.old)
        #expect(resolution.chosen?.signedAt == 300)
        #expect(resolution.undo == [2, 3])
    }

    @Test func noStateKCanServeIsSaidNotGuessed() {
        let observed = [
            Self.at(0, Self.new, 200), Self.at(1, Self.new, 200), Self.at(2, Self.old, 100), Self.at(3, Self.old, 100),
            Self.at(4, Self.other, 50), Self.at(5, Self.other, nil),
        ]
        let resolution = SplitResolution(observed, dataShards: 4)
        #expect(resolution.chosen == nil)
        // A blobber whose head is not owner-signed supports nothing.
        #expect(resolution.candidates.first { $0.fileMetaRoot == Self.other }?.holders == [4])
        #expect(SplitResolution.isSplit(observed))
    }

    /// The answer never depends on the order the blobbers answered in, and equal times rank by support,
    /// then by root.
    @Test(arguments: 0..<20) func theOrderOfAnswersNeverMatters(seed: Int) {
        var generator = SystemRandomNumberGenerator()
        let roots = [Self.old, Self.new, Self.other]
        let observed = (0..<6).map { index in
            Self.at(
                index, roots[Int.random(in: 0..<3, using: &generator)], [Int64(100), 200, nil][Int.random(in: 0..<3, using: &generator)],
                undoTo: Bool.random(using: &generator) ? roots[Int.random(in: 0..<3, using: &generator)] : nil)
        }
        let reference = SplitResolution(observed, dataShards: 2)
        for _ in 0..<10 {
            #expect(SplitResolution(observed.shuffled(using: &generator), dataShards: 2) == reference)
        }
        let tie = [Self.at(0, Self.new, 100), Self.at(1, Self.old, 100), Self.at(2, Self.old, 100)]
        #expect(SplitResolution(tie, dataShards: 1).chosen?.fileMetaRoot == Self.old)
        let even = [Self.at(0, Self.new, 100), Self.at(1, Self.old, 100)]
        let lower = [Self.new, Self.old].min { $0.hex < $1.hex }
        #expect(SplitResolution(even, dataShards: 1).chosen?.fileMetaRoot == lower)
        #expect(SplitResolution(even.reversed(), dataShards: 1).chosen?.fileMetaRoot == lower)
    }
}
