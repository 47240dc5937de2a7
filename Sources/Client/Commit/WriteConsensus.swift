public import StorageProtocol

/// Data+1 consensus for one commit over `n` blobbers (DESIGN.md "Writes"), as a state machine with
/// no I/O: the uploader reports what happened and asks what to do next.
///
/// 1. Every blobber stages its shards; one that fails or reports a shard root other than the client's
///    is out. Fewer than `k + 1` staged: stop, drop the staged uploads.
/// 2. Commit on every staged blobber. At least `k + 1` commits: success, and every blobber that did not
///    commit is reported for repair. Fewer: roll back every blobber that committed.
public struct WriteConsensus: Sendable {
    public enum Phase: Sendable, Equatable {
        case staging, committing, succeeded, rollingBack, abandoned, rolledBack
    }

    public enum BlobberOutcome: Sendable, Equatable {
        case pending
        case staged
        case failed(String)
        case committed(WriteMarker)
        case rolledBack
        case rollbackFailed(String)
    }

    public let dataShards: Int
    public private(set) var outcomes: [BlobberOutcome]
    public private(set) var phase: Phase = .staging

    public init(blobbers: Int, dataShards: Int) {
        self.dataShards = dataShards
        self.outcomes = Array(repeating: .pending, count: blobbers)
    }

    /// `k + 1`.
    public var required: Int { dataShards + 1 }

    public mutating func staged(_ index: Int) {
        guard phase == .staging, outcomes[index] == .pending else { return }
        outcomes[index] = .staged
    }

    public mutating func failed(_ index: Int, _ reason: String) {
        switch outcomes[index] {
        case .pending, .staged: outcomes[index] = .failed(reason)
        default: break
        }
    }

    /// After staging: commit on `blobbers`, or give up (`[]`, phase `abandoned`) when fewer than `k + 1` staged.
    public mutating func finishStaging() -> [Int] {
        precondition(phase == .staging)
        for index in outcomes.indices where outcomes[index] == .pending { outcomes[index] = .failed("did not stage") }
        let staged = outcomes.indices.filter { outcomes[$0] == .staged }
        guard staged.count >= required else {
            phase = .abandoned
            return []
        }
        phase = .committing
        return staged
    }

    public mutating func committed(_ index: Int, marker: WriteMarker) {
        guard phase == .committing, outcomes[index] == .staged else { return }
        outcomes[index] = .committed(marker)
    }

    /// After the commits: success, or the blobbers to roll back.
    public mutating func finishCommits() -> [Int] {
        precondition(phase == .committing)
        for index in outcomes.indices where outcomes[index] == .staged { outcomes[index] = .failed("did not commit") }
        if committedIndexes.count >= required {
            phase = .succeeded
            return []
        }
        phase = .rollingBack
        return committedIndexes
    }

    public mutating func rolledBack(_ index: Int) {
        guard phase == .rollingBack, case .committed = outcomes[index] else { return }
        outcomes[index] = .rolledBack
    }

    public mutating func rollbackFailed(_ index: Int, _ reason: String) {
        guard phase == .rollingBack, case .committed = outcomes[index] else { return }
        outcomes[index] = .rollbackFailed(reason)
    }

    public mutating func finishRollback() {
        precondition(phase == .rollingBack)
        phase = .rolledBack
    }

    public var committedIndexes: [Int] {
        outcomes.indices.filter { if case .committed = outcomes[$0] { true } else { false } }
    }

    /// Blobbers that missed a successful commit: to report and repair.
    public var missed: [Int] {
        guard phase == .succeeded else { return [] }
        return outcomes.indices.filter { if case .committed = outcomes[$0] { false } else { true } }
    }

    public var failures: [(index: Int, reason: String)] {
        outcomes.indices.compactMap { index in
            switch outcomes[index] {
            case .failed(let reason), .rollbackFailed(let reason): (index, reason)
            default: nil
            }
        }
    }
}

/// One write's consensus, shared by the tasks that stage and commit on each blobber.
typealias ConsensusBox = Locked<WriteConsensus>
