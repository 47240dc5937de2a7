import Foundation
public import StorageProtocol

/// The last content audit of each blobber of an allocation (`blob monitor`'s step (b)), kept in the wallet
/// folder as `HOME/allocations/ID.audits.json` so `blob status` can show it. A missing or unreadable file
/// is an empty log: the record is advice for people, never an input to a decision.
public struct AuditLog: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        /// When the audit ran (milliseconds since 1970).
        public var at: Int64
        /// Files whose sampled blocks verified, and files where at least one did not.
        public var passed: Int
        public var failed: Int
        /// The first problem found, when one was.
        public var problem: String?
        /// When the blobber was last repaired after a failed audit (milliseconds since 1970).
        public var repairedAt: Int64?
        /// `issued_at` of the latest challenge on the ledger this blobber failed that a full verification
        /// of its shards has answered (the monitor verifies again only after a later failure).
        public var challengeFailureSeen: Int64?

        public init(at: Int64, passed: Int, failed: Int, problem: String? = nil, repairedAt: Int64? = nil) {
            self.at = at
            self.passed = passed
            self.failed = failed
            self.problem = problem
            self.repairedAt = repairedAt
        }

        mutating func record(_ finding: ShardAudit.Finding) {
            if finding.isDamaged {
                failed += 1
                problem = problem ?? "\(finding.path): \(finding.problem ?? "blocks \(finding.damagedBlocks) do not verify")"
            } else {
                passed += 1
            }
        }

        /// The audit found damage that no repair has covered since.
        public var outstandingDamage: Bool { failed > 0 && (repairedAt ?? Int64.min) < at }

        enum CodingKeys: String, CodingKey {
            case at, passed, failed, problem
            case repairedAt = "repaired_at"
            case challengeFailureSeen = "challenge_failure_seen"
        }
    }

    /// By blobber id (hex).
    public var blobbers: [String: Entry] = [:]

    public init(blobbers: [String: Entry] = [:]) {
        self.blobbers = blobbers
    }

    static func path(_ home: ClientHome, _ allocation: AllocationID) -> String {
        home.path + "/allocations/\(allocation.hex).audits.json"
    }

    public static func load(_ home: ClientHome, _ allocation: AllocationID) -> AuditLog {
        guard let data = FileManager.default.contents(atPath: path(home, allocation)),
            let log = try? JSONDecoder().decode(AuditLog.self, from: data)
        else { return AuditLog() }
        return log
    }

    /// Replaces the file whole (write and rename), so a reader never sees half of it.
    public func save(_ home: ClientHome, _ allocation: AllocationID) throws(ClientError) {
        try home.ensureExists()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: Self.path(home, allocation)), options: .atomic)
        } catch {
            throw .localFile(path: Self.path(home, allocation), reason: "cannot write the audit log: \(error.localizedDescription)")
        }
    }
}
