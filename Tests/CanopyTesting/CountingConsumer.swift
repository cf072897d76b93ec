public import Core
public import Foundation
public import Logging
public import PostgresNIO
public import ServiceLifecycle

/// A consumer whose effect is a row per event with the number of times it was applied: exactly-once shows
/// as every count being 1. It fails on events whose data says `{"poison": true}` while `poisoned` is set.
public struct CountingConsumer: EventConsumer {
    public let name: String
    public var bindings: [String] { ["#"] }

    public static func createTable(_ client: PostgresClient) async throws {
        try await client.query("""
            CREATE TABLE IF NOT EXISTS counted (account_id uuid NOT NULL, event_id uuid PRIMARY KEY, position bigint NOT NULL, times int NOT NULL)
            """, logger: TestServers.logger)
    }

    public func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        // jsonb prints `{"poison": true}`.
        for event in events where event.data.filter({ $0 != " " }).contains(#""poison":true"#) {
            if try await Self.poisoned(on: connection) { throw Poisoned(eventID: event.id) }
        }
        try await connection.checkedQuery("""
            INSERT INTO counted (account_id, event_id, position, times)
            SELECT a, e, p, 1 FROM unnest(\(events.map(\.accountID))::uuid[], \(events.map(\.id))::uuid[], \(events.map(\.position))::int8[]) AS t(a, e, p)
            ON CONFLICT (event_id) DO UPDATE SET times = counted.times + 1
            """, logger: logger)
    }

    public struct Poisoned: Error, CustomStringConvertible {
        public var eventID: UUID
        public var description: String { "poisoned event \(eventID.lowercasedString) refused" }
    }

    /// Whether poison events fail: a row in `poison_switch` (the test flips it to "cure" the consumer).
    public static func poisoned(on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.checkedQuery("SELECT count(*) FROM poison_switch", logger: TestServers.logger)
        for try await count in rows.decode(Int.self) { return count > 0 }
        return false
    }

    public static func runtime(_ pipeline: Pipeline, name: String, retryDelays: [Duration] = [.milliseconds(100), .milliseconds(200)]) throws -> DeclaringRuntime {
        DeclaringRuntime(runtime: try ConsumerRuntime(
            consumer: CountingConsumer(name: name), client: pipeline.client, amqp: pipeline.amqp,
            configuration: pipeline.consumerConfiguration(retryDelays: retryDelays), logger: TestServers.logger
        ), pipeline: pipeline)
    }

    public static func counted(_ pipeline: Pipeline) async throws -> Int {
        try await pipeline.database.count("counted")
    }

    public static func maxTimesApplied(_ pipeline: Pipeline) async throws -> Int {
        try await pipeline.client.checkedQuery("SELECT coalesce(max(times), 0) FROM counted", logger: TestServers.logger) { rows in
            for try await times in rows.decode(Int.self) { return times }
            return 0
        }
    }
}


/// A consumer runtime whose `declared()` creates the counting tables and its queues: a test calls it before
/// running the runtime or appending (events published before the queue exists are routed nowhere).
public struct DeclaringRuntime: Service {
    public let runtime: ConsumerRuntime
    public let pipeline: Pipeline

    /// Call `declared()` first.
    public func run() async throws {
        try await runtime.run()
    }

    public func declared() async throws {
        try await AMQPConnection.withConnection(to: pipeline.amqp, name: "test-declare", logger: TestServers.logger) { connection in
            try await runtime.queues.declare(on: connection, bindings: runtime.consumer.bindings)
        }
        try await CountingConsumer.createTable(pipeline.client)
        try await pipeline.client.query("CREATE TABLE IF NOT EXISTS poison_switch (on_ boolean)", logger: TestServers.logger)
    }

    public var counters: ConsumerRuntime.Counters { runtime.counters }
}
