import Metrics

/// The blobber's Prometheus metrics (swift-metrics; the executable bootstraps the backend with `help`).
public enum BlobberMetrics {
    static let requests = Counter(label: "blobber_requests_total")
    static let bytesIn = Counter(label: "blobber_bytes_in_total")
    static let bytesOut = Counter(label: "blobber_bytes_out_total")
    static let commitLatency = Metrics.Timer(label: "blobber_commit_seconds")
    static let commits = Counter(label: "blobber_commits_total")
    static let rollbacks = Counter(label: "blobber_rollbacks_total")
    static let markersPending = Gauge(label: "blobber_markers_pending")
    static let markersSubmitted = Counter(label: "blobber_markers_submitted_total")
    static let diskUsed = Gauge(label: "blobber_disk_used_bytes")

    /// What became of a challenge addressed to this blobber (`blobber_challenges_total{outcome}`).
    enum ChallengeOutcome: String, CaseIterable {
        /// Answered, and the ledger judged the proof good.
        case passed
        /// Answered, and the ledger judged the proof bad.
        case failed
        /// Not answerable here: the challenged root is unknown to this blobber.
        case unanswerable
        /// Answered, and the ledger refused the answer (too late, closed, …).
        case refused
    }

    /// Counts one challenge by its outcome.
    static func challenge(_ outcome: ChallengeOutcome) {
        Counter(label: "blobber_challenges_total", dimensions: [("outcome", outcome.rawValue)]).increment()
    }

    /// Counts one coded error answer by its stable code (`auth.bad_signature`, `request.not_found`, …): the
    /// codes are the fixed set of docs/PROTOCOL.md section 8, so the series stay few.
    static func refused(code: String) {
        Counter(label: "blobber_errors_total", dimensions: [("code", code)]).increment()
    }

    /// The storage figures, per blobber, as they are when recorded (`BlobberNode.recordStorageGauges()`).
    struct Storage {
        var capacity: UInt64
        var stored: UInt64
        var staged: UInt64

        /// Capacity not taken by committed or staged bytes.
        var free: UInt64 { capacity - min(capacity, stored + staged) }

        func record(blobber: String) {
            let dimensions = [("blobber_id", blobber)]
            Gauge(label: "blobber_capacity_bytes", dimensions: dimensions).record(capacity)
            Gauge(label: "blobber_stored_bytes", dimensions: dimensions).record(stored)
            Gauge(label: "blobber_staged_bytes", dimensions: dimensions).record(staged)
            Gauge(label: "blobber_free_bytes", dimensions: dimensions).record(free)
        }
    }

    /// The HELP text of every blobber metric (docs/PROTOCOL.md section 8, "Metrics"), keyed by label.
    public static let help: [String: String] = [
        "blobber_requests_total": "HTTP requests received",
        "blobber_bytes_in_total": "Shard and JSON body bytes received",
        "blobber_bytes_out_total": "Bytes answered (JSON and blocks)",
        "blobber_commit_seconds": "Commit latency in seconds, from the decoded request to the durable state",
        "blobber_commits_total": "Commits applied",
        "blobber_rollbacks_total": "Rollbacks applied",
        "blobber_markers_pending": "Accepted write markers the ledger does not hold yet",
        "blobber_markers_submitted_total": "Write markers the ledger took",
        "blobber_disk_used_bytes": "Bytes on disk under the shard and staging folders",
        "blobber_challenges_total": "Challenges addressed to this blobber, by outcome (passed, failed, unanswerable, refused)",
        "blobber_errors_total": "Error answers, by stable error code",
        "blobber_capacity_bytes": "Bytes offered for sale (the configured capacity)",
        "blobber_stored_bytes": "Committed bytes: every current file entry's blocks times 65536",
        "blobber_staged_bytes": "Bytes of staged uploads not committed yet",
        "blobber_free_bytes": "Capacity not taken by stored or staged bytes",
    ]

    /// Creates every metric so `/metrics` lists them all from the start.
    static func register() {
        for counter in [requests, bytesIn, bytesOut, commits, rollbacks, markersSubmitted] {
            counter.increment(by: 0)
        }
        for outcome in ChallengeOutcome.allCases {
            Counter(label: "blobber_challenges_total", dimensions: [("outcome", outcome.rawValue)]).increment(by: 0)
        }
        markersPending.record(0)
        diskUsed.record(0)
    }
}
