import Core
import Foundation
import Logging
import PostgresNIO
import Projections
import Synchronization
import Workers

/// From a committed append to the event applied by a projection (the event catalog), through the relay,
/// RabbitMQ and the consumer runtime, all in this process. First the highest rate the pipeline sustains is
/// found (appenders flat out, measured by what the projection applies); then appends are paced at half of
/// it and each one's latency is taken: from the append's answer to the end of the projection's commit that
/// covered its position (the runtime reports each commit; nothing waits per append, so measuring costs
/// nothing).
struct EndToEndBenchmark {
    let server: DatabaseURL
    let amqp: AMQPEndpoint
    let duration: Duration
    /// Measure at this rate instead of half the sustained one.
    let fixedRate: Double?
    let logger: Logger

    struct Result {
        var p50: Duration
        var p99: Duration
        var rate: Double
        var sustained: Double
    }

    func run() async throws -> Result {
        let database = try await BenchEnvironment.freshDatabase("canopy_bench_e2e", on: server, logger: logger)
        var relayConfiguration = Relay.Configuration()
        var consumer = ConsumerRuntime.Configuration()
        let topology = EventTopology(namespace: "bench-e2e-\(getpid())")
        relayConfiguration.topology = topology
        consumer.topology = topology
        return try await BenchEnvironment.withStore(database, maxConnections: 40, logger: logger) { [relayConfiguration, consumer] client, store in
            let relay = Relay(store: store, database: database, amqp: amqp, configuration: relayConfiguration, logger: logger)
            let commits = CommitMarks()
            let catalog = try ProjectionRuntime(projection: EventCatalog(), client: client, store: store, amqp: amqp, consumer: consumer,
                                                logger: logger, onApplied: { commits.record($0) })
            return try await withThrowingTaskGroup(of: Void.self) { services in
                services.addTask { try await relay.run() }
                services.addTask { try await catalog.run() }
                defer { services.cancelAll() }
                // The projection is built (empty) and consuming once it has applied a first event.
                let first = try await append(store)
                guard await catalog.waitUntilApplied(first, timeout: .seconds(30)) else {
                    throw BenchmarkFailure(description: "the projection did not start")
                }
                let sustained = fixedRate == nil ? try await sustainedRate(store, catalog) : 0
                let target = fixedRate ?? sustained / 2
                let appends = try await pacedAppends(store, rate: target)
                guard let last = appends.map(\.position).max(), await catalog.waitUntilApplied(last, timeout: .seconds(60)) else {
                    throw BenchmarkFailure(description: "the projection did not catch up")
                }
                let latencies = commits.latencies(of: appends)
                let sorted = latencies.sorted()
                return Result(
                    p50: sorted[sorted.count / 2], p99: sorted[min(sorted.count - 1, sorted.count * 99 / 100)],
                    rate: Double(latencies.count) / duration.seconds, sustained: sustained
                )
            }
        }
    }

    private func append(_ store: EventStore) async throws -> Int64 {
        try await store.append(AppendRequest(
            stream: try StreamName(category: "bench", id: .v7()), accountID: Self.account,
            events: [NewEvent(type: "attendance.recorded", data: AppendBenchmark.payload, metadata: .init(actor: "system:bench"))]
        )).lastPosition
    }

    private static let account = UUID.v7()

    /// Appenders flat out for `duration`; the rate is what the projection applied meanwhile.
    private func sustainedRate(_ store: EventStore, _ catalog: ProjectionRuntime) async throws -> Double {
        let start = catalog.checkpoint
        let begun = ContinuousClock.now
        let deadline = begun + duration
        try await withThrowingTaskGroup(of: Void.self) { writers in
            for _ in 0..<64 {
                writers.addTask { while ContinuousClock.now < deadline { _ = try await append(store) } }
            }
            try await writers.waitForAll()
        }
        let applied = catalog.checkpoint - start
        let rate = Double(applied) / (ContinuousClock.now - begun).seconds
        // Let the backlog drain before measuring latency.
        _ = await catalog.waitUntilApplied(try await store.headPosition(), timeout: .seconds(120))
        return rate
    }

    /// Appends at `rate` (spread over writers on a fixed schedule) for `duration`: each one's position and
    /// when its answer came.
    private func pacedAppends(_ store: EventStore, rate: Double) async throws -> [(position: Int64, committed: ContinuousClock.Instant)] {
        let writers = max(1, min(32, Int(rate / 200)))
        let interval = Duration.seconds(Double(writers) / rate)
        let begun = ContinuousClock.now
        let deadline = begun + duration
        return try await withThrowingTaskGroup(of: [(position: Int64, committed: ContinuousClock.Instant)].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var appends: [(position: Int64, committed: ContinuousClock.Instant)] = []
                    var next = begun + interval * Double(writer) / Double(writers)
                    while next < deadline {
                        try await Task.sleep(until: next, clock: .continuous)
                        next += interval
                        let position = try await append(store)
                        appends.append((position, ContinuousClock.now))
                    }
                    return appends
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }
}

/// When each of the projection's commits ended, and how far it reached.
final class CommitMarks: Sendable {
    private let marks = Mutex<[(position: Int64, at: ContinuousClock.Instant)]>([])

    func record(_ position: Int64) {
        let now = ContinuousClock.now
        marks.withLock { $0.append((position, now)) }
    }

    /// For each append, the time from its answer to the first commit that reached its position.
    func latencies(of appends: [(position: Int64, committed: ContinuousClock.Instant)]) -> [Duration] {
        let marks = marks.withLock { $0 }
        // Running maximum of positions, so that "the first commit reaching p" is a binary search.
        var reach: [Int64] = []
        var highest: Int64 = 0
        for mark in marks {
            highest = max(highest, mark.position)
            reach.append(highest)
        }
        return appends.compactMap { append in
            var low = 0, high = reach.count
            while low < high {
                let middle = (low + high) / 2
                if reach[middle] >= append.position { high = middle } else { low = middle + 1 }
            }
            guard low < marks.count else { return nil }
            return max(marks[low].at - append.committed, .zero)
        }
    }
}
