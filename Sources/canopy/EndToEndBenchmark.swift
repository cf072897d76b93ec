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
/// it and each one's latency is taken: from the append's answer to the projection's commit passing its
/// position.
struct EndToEndBenchmark {
    let server: DatabaseURL
    let amqp: AMQPEndpoint
    let duration: Duration
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
            let catalog = try ProjectionRuntime(projection: EventCatalog(), client: client, store: store, amqp: amqp, consumer: consumer, logger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { services in
                services.addTask { try await relay.run() }
                services.addTask { try await catalog.run() }
                defer { services.cancelAll() }
                // The projection is built (empty) and consuming once it has applied a first event.
                let first = try await append(store)
                guard await catalog.waitUntilApplied(first, timeout: .seconds(30)) else {
                    throw BenchmarkFailure(description: "the projection did not start")
                }
                let sustained = try await sustainedRate(store, catalog)
                let target = sustained / 2
                let latencies = try await pacedLatencies(store, catalog, rate: target)
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

    /// Appends at `rate` (spread over writers on a fixed schedule) for `duration`; each append's latency.
    private func pacedLatencies(_ store: EventStore, _ catalog: ProjectionRuntime, rate: Double) async throws -> [Duration] {
        let writers = max(1, min(32, Int(rate / 200)))
        let interval = Duration.seconds(Double(writers) / rate)
        let begun = ContinuousClock.now
        let deadline = begun + duration
        return try await withThrowingTaskGroup(of: [Duration].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var latencies: [Duration] = []
                    var next = begun + interval * Double(writer) / Double(writers)
                    try await withThrowingTaskGroup(of: Duration.self) { waits in
                        while next < deadline {
                            try await Task.sleep(until: next, clock: .continuous)
                            next += interval
                            let position = try await append(store)
                            let committed = ContinuousClock.now
                            waits.addTask {
                                _ = await catalog.waitUntilApplied(position, timeout: .seconds(30))
                                return ContinuousClock.now - committed
                            }
                        }
                        for try await latency in waits { latencies.append(latency) }
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }
}
