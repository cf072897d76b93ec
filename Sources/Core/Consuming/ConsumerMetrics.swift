import Metrics

/// What a consumer reports to the process's metrics system: each event's fate (applied, a duplicate
/// delivery, sent to retry, parked) and the highest position it has applied, from which its lag behind the
/// log follows (the relay's confirmed position, or the log's head).
struct ConsumerMetrics: Sendable {
    private let applied: Counter
    private let duplicates: Counter
    private let retried: Counter
    private let parked: Counter
    private let position: Gauge

    init(consumer name: String) {
        func events(_ result: String) -> Counter {
            Counter(label: "canopy_consumer_events_total", dimensions: [("consumer", name), ("result", result)])
        }
        applied = events("applied")
        duplicates = events("duplicate")
        retried = events("retried")
        parked = events("parked")
        position = Gauge(label: "canopy_consumer_applied_position", dimensions: [("consumer", name)])
    }

    func applied(_ events: [RecordedEvent], duplicates count: Int) {
        applied.increment(by: events.count)
        if count > 0 { duplicates.increment(by: count) }
        if let last = events.map(\.position).max() { position.record(last) }
    }

    func failed(parked isParked: Bool) {
        (isParked ? parked : retried).increment()
    }
}
