public import Merkle

/// Which state of an allocation a split resolves to (docs/PROTOCOL.md 10.8 "Which state wins"), as a
/// pure function of what the blobbers show, so `blob status` and `blob repair` give the same answer on
/// every run whatever order the blobbers answer in.
///
/// 1. A reachable blobber counts when its head is backed by its latest marker, signed by the owner for
///    this allocation and blobber (or it is at genesis). Its state is its `file_meta_root`, signed at its
///    marker's `timestamp`. If it can undo its latest commit and the wallet's record holds the marker
///    before it, it can also go back to that marker's `file_meta_root` by a rollback.
/// 2. Every state some counted blobber holds is a candidate, signed at the newest timestamp among its
///    holders. Its supporters are its holders plus the blobbers that can go back to it.
/// 3. Candidates are ranked newest first; ties by more supporters, then by `file_meta_root` hex.
/// 4. The state is the first candidate with at least `k` supporters (`k` blobbers can serve every file
///    of it, after the rollbacks). None: the split cannot be resolved from what answered.
public struct SplitResolution: Sendable, Equatable {
    /// One reachable blobber as the rule sees it.
    public struct Observed: Sendable, Equatable {
        public var index: Int
        public var fileMetaRoot: Hash
        /// Timestamp of the owner-signed marker behind its head (0 at genesis); nil when its head is
        /// not backed by one (it supports nothing and is rebuilt).
        public var signedAt: Int64?
        /// The `file_meta_root` its undo step goes back to, when it can undo and that is known.
        public var undoTo: Hash?

        public init(index: Int, fileMetaRoot: Hash, signedAt: Int64?, undoTo: Hash?) {
            self.index = index
            self.fileMetaRoot = fileMetaRoot
            self.signedAt = signedAt
            self.undoTo = undoTo
        }
    }

    public struct Candidate: Sendable, Equatable, Codable {
        public var fileMetaRoot: Hash
        public var signedAt: Int64
        public var holders: [Int]
        /// Blobbers at another state that can go back to this one by a rollback.
        public var undoable: [Int]

        /// The blobbers that can serve it: holders, and those that reach it by a rollback.
        var support: Int { holders.count + undoable.count }

        enum CodingKeys: String, CodingKey {
            case holders, undoable
            case fileMetaRoot = "file_meta_root"
            case signedAt = "signed_at"
        }
    }

    /// Every candidate, in rank order.
    public var candidates: [Candidate]
    /// The winning state, or nil.
    public var chosen: Candidate?

    /// Blobbers to roll back to the chosen state.
    public var undo: [Int] { chosen?.undoable ?? [] }

    public init(_ observed: [Observed], dataShards k: Int) {
        let counted = observed.filter { $0.signedAt != nil }
        var byRoot: [Hash: Candidate] = [:]
        for blobber in counted {
            guard let signedAt = blobber.signedAt else { continue }
            var candidate =
                byRoot[blobber.fileMetaRoot]
                ?? Candidate(fileMetaRoot: blobber.fileMetaRoot, signedAt: .min, holders: [], undoable: [])
            candidate.holders.append(blobber.index)
            candidate.signedAt = max(candidate.signedAt, signedAt)
            byRoot[blobber.fileMetaRoot] = candidate
        }
        for blobber in counted {
            guard let target = blobber.undoTo, target != blobber.fileMetaRoot, byRoot[target] != nil else { continue }
            byRoot[target]!.undoable.append(blobber.index)
        }
        candidates = byRoot.values.map { candidate in
            var sorted = candidate
            sorted.holders.sort()
            sorted.undoable.sort()
            return sorted
        }.sorted { a, b in
            if a.signedAt != b.signedAt { return a.signedAt > b.signedAt }
            if a.support != b.support { return a.support > b.support }
            return a.fileMetaRoot.hex < b.fileMetaRoot.hex
        }
        chosen = candidates.first { $0.support >= k }
    }

    /// More than one state among the counted blobbers, or a blobber whose head is not owner-signed.
    public static func isSplit(_ observed: [Observed]) -> Bool {
        Set(observed.map(\.fileMetaRoot)).count > 1 || observed.contains { $0.signedAt == nil }
    }
}
