import Metrics

/// The blobber's Prometheus metrics (swift-metrics; the executable bootstraps the backend).
enum BlobberMetrics {
    static let requests = Counter(label: "blobber_requests_total")
    static let bytesIn = Counter(label: "blobber_bytes_in_total")
    static let bytesOut = Counter(label: "blobber_bytes_out_total")
    static let commitLatency = Metrics.Timer(label: "blobber_commit_seconds")
    static let commits = Counter(label: "blobber_commits_total")
    static let rollbacks = Counter(label: "blobber_rollbacks_total")
    static let markersPending = Gauge(label: "blobber_markers_pending")
    static let markersSubmitted = Counter(label: "blobber_markers_submitted_total")
    static let challengesPassed = Counter(label: "blobber_challenges_passed_total")
    static let challengesFailed = Counter(label: "blobber_challenges_failed_total")
    static let diskUsed = Gauge(label: "blobber_disk_used_bytes")

    /// Creates every metric so `/metrics` lists them all from the start.
    static func register() {
        for counter in [
            requests, bytesIn, bytesOut, commits, rollbacks, markersSubmitted, challengesPassed, challengesFailed,
        ] {
            counter.increment(by: 0)
        }
        markersPending.record(0)
        diskUsed.record(0)
    }
}
