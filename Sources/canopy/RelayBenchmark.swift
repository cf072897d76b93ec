import Core
import Foundation
import Logging
import PostgresNIO
import Workers

/// The relay publishing a seeded log, beside the same bridge publishing the same messages straight from
/// memory, in the same batches with confirms (as many in flight), to the same durable queue.
struct RelayBenchmark {
    let server: DatabaseURL
    let amqp: AMQPEndpoint
    let events: Int
    let batchSize: Int
    let logger: Logger

    struct Result {
        var canopy: Double
        var raw: Double
    }

    func run() async throws -> Result {
        let database = try await BenchEnvironment.freshDatabase("canopy_bench_relay", on: server, logger: logger)
        let topology = EventTopology(namespace: "bench-relay-\(getpid())")
        let queue = "\(topology.queuePrefix).sink"
        return try await BenchEnvironment.withStore(database, logger: logger) { client, store in
            try await BenchEnvironment.seed(store, count: events)
            let messages = try await store.readAll(after: 0, limit: events).map { EventMessages.message(for: $0, exchange: topology.exchange) }
            try await AMQPConnection.withConnection(to: amqp, name: "bench-setup", logger: logger) { connection in
                try await connection.declareExchange(topology.exchange, type: "topic")
                try await connection.declareQueue(queue)
                try await connection.bindQueue(queue, exchange: topology.exchange, routingKey: "#")
            }

            var configuration = Relay.Configuration()
            configuration.topology = topology
            configuration.batchSize = batchSize
            let raw = try await rawMessagesPerSecond(messages, queue: queue, inFlight: configuration.maxInFlightBatches)
            try await purge(queue)

            let relay = Relay(store: store, database: database, amqp: amqp, configuration: configuration, logger: logger)
            let head = try await store.headPosition()
            let started = ContinuousClock.now
            let elapsed = try await withThrowingTaskGroup(of: Duration?.self) { group in
                group.addTask { try await relay.run(); return nil }
                group.addTask {
                    while relay.checkpoint < head { try await Task.sleep(for: .milliseconds(1)) }
                    return ContinuousClock.now - started
                }
                defer { group.cancelAll() }
                while let next = try await group.next() { if let next { return next } }
                throw BenchmarkFailure(description: "the relay stopped before publishing the log")
            }
            try await purge(queue)
            // The broker's speed drifts within a run: the reference is the better of a run before and after.
            let rawAfter = try await rawMessagesPerSecond(messages, queue: queue, inFlight: configuration.maxInFlightBatches)
            try await deleteQueue(queue)
            return Result(canopy: Double(events) / elapsed.seconds, raw: max(raw, rawAfter))
        }
    }

    /// The relay's pattern minus the log: batches of the same size, as many awaiting confirms at once.
    private func rawMessagesPerSecond(_ messages: [AMQPMessage], queue: String, inFlight: Int) async throws -> Double {
        try await AMQPConnection.withConnection(to: amqp, name: "bench-raw", logger: logger) { connection in
            let batches = stride(from: 0, to: messages.count, by: batchSize).map { Array(messages[$0..<min($0 + batchSize, messages.count)]) }
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, batch) in batches.enumerated() {
                    if index >= inFlight { try await group.next() }
                    group.addTask {
                        let outcomes = try await connection.publish(batch)
                        guard outcomes.allSatisfy({ $0 == .confirmed }) else { throw BenchmarkFailure(description: "the broker refused messages") }
                    }
                }
                try await group.waitForAll()
            }
            return Double(messages.count) / (ContinuousClock.now - started).seconds
        }
    }

    private func purge(_ queue: String) async throws {
        try await AMQPConnection.withConnection(to: amqp, name: "bench-purge", logger: logger) { try await $0.purgeQueue(queue) }
    }

    private func deleteQueue(_ queue: String) async throws {
        try await AMQPConnection.withConnection(to: amqp, name: "bench-cleanup", logger: logger) { try await $0.deleteQueue(queue) }
    }
}
