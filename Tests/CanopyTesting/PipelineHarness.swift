public import Core
public import Foundation
import Logging
public import PostgresNIO
public import Projections
public import ServiceLifecycle
public import Workers

/// An event store on a fresh database, and a topology of its own on the test broker: tests running side by
/// side never see each other's events.
public struct Pipeline: Sendable {
    public let store: EventStore
    public let database: TestDatabase
    public let topology: EventTopology
    public let amqp: AMQPEndpoint

    public var client: PostgresClient { database.client }

    public func consumerConfiguration(retryDelays: [Duration] = [.milliseconds(100), .milliseconds(200)]) -> ConsumerRuntime.Configuration {
        var configuration = ConsumerRuntime.Configuration()
        configuration.retryDelays = retryDelays
        configuration.topology = topology
        return configuration
    }

    public func relay(name: String = "events") -> Relay {
        var configuration = Relay.Configuration()
        configuration.topology = topology
        configuration.name = name
        return Relay(store: store, database: database.url, amqp: amqp, configuration: configuration, logger: TestServers.logger)
    }

    public func projection(_ projection: any Projection = EventCatalog()) throws -> ProjectionRuntime {
        try ProjectionRuntime(projection: projection, client: client, store: store, amqp: amqp,
                              consumer: consumerConfiguration(), logger: TestServers.logger)
    }

    /// Appends `count` events, one per append, spread over `accounts`, with types cycling over `types`.
    @discardableResult
    public func append(_ count: Int, accounts: [UUID], types: [String] = ["account.renamed", "funnel.advanced", "user.granted"]) async throws -> Int64 {
        var last: Int64 = 0
        for index in 0..<count {
            let account = accounts[index % accounts.count]
            let result = try await store.append(AppendRequest(
                stream: newStream(), accountID: account, events: [event(types[index % types.count], #"{"n":\#(index)}"#)]
            ))
            last = result.lastPosition
        }
        return last
    }
}

public func withPipeline<T: Sendable>(_ body: @Sendable (Pipeline) async throws -> T) async throws -> T {
    try await withEventStore { store, database in
        let unique = "test-\(UUID().uuidString.lowercased().prefix(13))"
        let pipeline = Pipeline(
            store: store, database: database,
            topology: EventTopology(exchange: "\(unique).events", queuePrefix: unique), amqp: try TestServers.amqp()
        )
        return try await body(pipeline)
    }
}

/// Runs `services` while `body` runs, then cancels them.
public func whileRunning<T: Sendable>(_ services: [any Service], _ body: @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for service in services { group.addTask { try await service.run() } }
        defer { group.cancelAll() }
        return try await body()
    }
}

/// Waits until `condition` holds, up to `timeout`; returns whether it did.
public func eventually(timeout: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// The catalog computed straight from the log: what any correct build of the projection must hold.
public func catalogFromLog(_ client: PostgresClient) async throws -> [EventCatalog.Entry] {
    let rows = try await client.query("""
        SELECT account_id, type, count(*)::int8, max(position) FROM events GROUP BY account_id, type ORDER BY account_id, type
        """, logger: TestServers.logger)
    var entries: [EventCatalog.Entry] = []
    for try await (account, type, count, last) in rows.decode((UUID, String, Int64, Int64).self) {
        entries.append(EventCatalog.Entry(accountID: account, eventType: type, eventCount: count, lastPosition: last))
    }
    return entries
}
