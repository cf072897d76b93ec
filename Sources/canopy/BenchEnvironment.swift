import Core
import Foundation
import Logging
import PostgresNIO

/// What every benchmark sets up: a fresh, migrated database of its own, and a running pool and event store.
enum BenchEnvironment {
    /// Drops and creates `name` on the server, then migrates it.
    static func freshDatabase(_ name: String, on server: DatabaseURL, logger: Logger) async throws -> DatabaseURL {
        try await server.withConnection(logger: logger) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let database = server.database(name)
        try await Migrator(directory: Migrator.locateDirectory()).migrate(database, logger: logger)
        return database
    }

    /// A running pool and event store on `database` for `body`.
    static func withStore<T: Sendable>(
        _ database: DatabaseURL, maxConnections: Int = 16, configuration: EventStore.Configuration = .init(), logger: Logger,
        _ body: @Sendable (PostgresClient, EventStore) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: try database.clientConfiguration(maxConnections: maxConnections), backgroundLogger: logger)
        let store = EventStore(client: client, configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { services in
            services.addTask { await client.run() }
            services.addTask { try await store.run() }
            defer { services.cancelAll() }
            return try await body(client, store)
        }
    }

    /// Appends `count` events of `payload` (`perAppend` to a stream, `writers` at once), for benchmarks that
    /// need a log to read.
    static func seed(_ store: EventStore, count: Int, perAppend: Int = 500, writers: Int = 4, accounts: Int = 20) async throws {
        let accountIDs = (0..<accounts).map { _ in UUID.v7() }
        let appends = (count + perAppend - 1) / perAppend
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in stride(from: writer, to: appends, by: writers) {
                        let size = min(perAppend, count - index * perAppend)
                        let types = ["attendance.recorded", "funnel.advanced", "account.renamed"]
                        let events = (0..<size).map { n in
                            NewEvent(type: types[n % types.count], data: AppendBenchmark.payload, metadata: .init(actor: "system:bench"))
                        }
                        _ = try await store.append(AppendRequest(
                            stream: try StreamName(category: "bench", id: .v7()), accountID: accountIDs[index % accounts], events: events
                        ))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
