import Metrics

/// What the append path reports to the process's metrics system (Prometheus under `canopy serve`): how
/// many batches, how large, how long each took in the database, and how each append came out. Made once
/// per committer, so a batch costs a few atomic adds and no lookups.
struct AppendMetrics: Sendable {
    private let batches = Counter(label: "canopy_append_batches_total")
    private let batchSize = Recorder(label: "canopy_append_batch_appends")
    private let batchDuration = Timer(label: "canopy_append_batch_duration_seconds", preferredDisplayUnit: .seconds)
    private let events = Counter(label: "canopy_events_appended_total")
    private let appended = Counter(label: "canopy_appends_total", dimensions: [("outcome", "appended")])
    private let replayed = Counter(label: "canopy_appends_total", dimensions: [("outcome", "replayed")])
    private let refused = Counter(label: "canopy_appends_total", dimensions: [("outcome", "refused")])
    private let unknown = Counter(label: "canopy_appends_total", dimensions: [("outcome", "unknown")])

    func batch(_ units: [[AppendRequest]], took duration: Duration, results: [Result<[AppendResult], EventLogError>]) {
        batches.increment()
        batchSize.record(units.reduce(0) { $0 + $1.count })
        batchDuration.recordNanoseconds(duration.nanoseconds)
        for (unit, result) in zip(units, results) {
            switch result {
            case .success(let written):
                for (request, one) in zip(unit, written) {
                    if one.isReplay { replayed.increment() } else { appended.increment(); events.increment(by: request.events.count) }
                }
            case .failure(let error) where error.code == .outcomeUnknown:
                unknown.increment(by: unit.count)
            case .failure:
                refused.increment(by: unit.count)
            }
        }
    }
}
