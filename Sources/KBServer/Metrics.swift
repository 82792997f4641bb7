import Prometheus

/// kbqd's Prometheus metrics (`GET /metrics`).
public final class Metrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let searches: Counter
    let searchErrors: Counter
    let searchSeconds: DurationHistogram
    let requests: Counter
    let rejected: Counter
    let reindexes: Counter
    let reindexFailures: Counter
    let documents: Gauge
    let connections: Gauge

    public init() {
        func name(_ n: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "kbq", metricName: n, unitName: unit, helpText: help)
        }
        searches = registry.makeCounter(descriptor: name("searches", "total", "Searches answered."))
        searchErrors = registry.makeCounter(descriptor: name("search_errors", "total", "Searches that failed with a 5xx."))
        searchSeconds = registry.makeDurationHistogram(
            descriptor: name("search_duration", "seconds", "Time to answer a search, queueing included."),
            buckets: [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
                      .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(500)])
        requests = registry.makeCounter(descriptor: name("http_requests", "total", "HTTP requests received."))
        rejected = registry.makeCounter(descriptor: name("overload_rejections", "total", "Requests refused with 503 (overload)."))
        reindexes = registry.makeCounter(descriptor: name("reindex", "total", "Reindex tasks finished."))
        reindexFailures = registry.makeCounter(descriptor: name("reindex_failures", "total", "Reindex tasks that failed."))
        documents = registry.makeGauge(descriptor: name("index_documents", "", "Entries in the serving index."))
        connections = registry.makeGauge(descriptor: name("open_connections", "", "Open client connections."))
    }

    public func text() -> [UInt8] { registry.emitToBuffer() }
}
