public import CoreMetrics
public import Prometheus

/// A swift-metrics backend over a Prometheus registry whose text passes `promtool check metrics`: every
/// family has a `# HELP` line (from `help`, or one naming the metric for those defined by libraries) and
/// every counter's name ends in `_total`.
public struct PrometheusExposition: MetricsFactory {
    public let registry: PrometheusCollectorRegistry
    let help: [String: String]
    let durationBuckets: [Duration]
    let valueBuckets: [Double]

    /// `help` maps a metric's label (as passed to swift-metrics, before any `_total`) to its help text.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), help: [String: String]) {
        self.registry = registry
        self.help = help.merging(Self.libraryHelp) { mine, _ in mine }
        durationBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            .seconds(10),
        ]
        valueBuckets = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]
    }

    /// Metrics Hummingbird's MetricsMiddleware records.
    static let libraryHelp = [
        "hb.requests": "HTTP requests answered, by method, route and status",
        "hb.request.errors": "HTTP requests that ended in an error, by method, route and error type",
        "http.server.request.duration": "HTTP request duration in seconds, by method, route and status",
        "http.server.active_requests": "HTTP requests in progress, by method",
    ]

    /// The exposition text (for `/metrics`).
    public func text() -> String { registry.emitToString() }

    /// A metric without an entry gets its label as help: still a HELP line, never a made-up sentence.
    func helpText(_ label: String) -> String { help[label] ?? label }

    static func counterName(_ label: String) -> String { label.hasSuffix("_total") ? label : label + "_total" }

    func descriptor(_ name: String, help label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: helpText(label))
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(Self.counterName(label), help: label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(Self.counterName(label), help: label), labels: dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label, help: label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label, help: label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label, help: label), labels: dimensions, buckets: valueBuckets)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(
            descriptor: descriptor(label, help: label), labels: dimensions, buckets: durationBuckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}
