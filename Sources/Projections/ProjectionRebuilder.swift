public import Core
import Foundation
public import Logging
public import PostgresNIO

/// Rebuilds a projection from the log into a fresh generation of its tables while the live generation keeps
/// serving, then swaps the views to the new one in a single transaction.
///
/// The swap happens with the projection's row locked (live applies wait on it): what committed up to then
/// is in the new tables, and the row's `rebuilt_through` makes the live consumer skip those events when they
/// arrive from its queue. Only one rebuild of a projection runs at a time.
public struct ProjectionRebuilder: Sendable {
    public struct Progress: Sendable {
        public var position: Int64
        public var head: Int64
        public var applied: Int
        public var elapsed: Duration
    }

    public struct Result: Sendable {
        /// Events read from the log (of every type) and rebuilt through.
        public var events: Int
        public var position: Int64
        public var generation: Int
        public var elapsed: Duration

        public var eventsPerSecond: Double {
            elapsed.seconds > 0 ? Double(events) / elapsed.seconds : 0
        }
    }

    public struct AlreadyRunning: Error, CustomStringConvertible {
        public var description: String
    }

    public let projection: any Projection
    let store: EventStore
    let client: PostgresClient
    let logger: Logger
    public var batchSize = 10_000

    public init(projection: any Projection, store: EventStore, client: PostgresClient, logger: Logger) {
        self.projection = projection
        self.store = store
        self.client = client
        self.logger = logger
    }

    public func rebuild(progress: @Sendable (Progress) -> Void = { _ in }) async throws -> Result {
        try ProjectionRegistry.validate(projection)
        let started = ContinuousClock.now
        return try await client.withConnection { connection in
            try await withRebuildLock(on: connection) {
                let previous = try await ProjectionRegistry.entry(projection.name, on: client, logger: logger)?.generation
                let tables = ProjectionTables(generation: (previous ?? 0) + 1)
                try await ProjectionRegistry.createTables(projection, tables, on: connection, logger: logger)

                var position: Int64 = 0
                var events = 0
                let head = try await store.headPosition()
                // Bulk: batches of the log, the next read while this one applies.
                var batch = try await store.readAll(after: 0, limit: batchSize)
                while batch.count == batchSize {
                    let last = batch[batch.count - 1].position
                    async let following = store.readAll(after: last, limit: batchSize)
                    try await applyBatch(batch, to: tables, on: connection)
                    position = last
                    events += batch.count
                    progress(Progress(position: position, head: max(head, position), applied: events, elapsed: ContinuousClock.now - started))
                    batch = try await following
                }
                // The rest, and the swap, with live applies held off.
                try await connection.inTransaction(logger: logger) { connection in
                    try await connection.checkedQuery("""
                        INSERT INTO projections (name, generation) VALUES (\(projection.name), \(Int32(tables.generation))) ON CONFLICT DO NOTHING
                        """, logger: logger)
                    _ = try await ProjectionRegistry.lock(projection.name, on: connection, logger: logger)
                    while !batch.isEmpty {
                        try await apply(batch, to: tables, on: connection)
                        position = batch[batch.count - 1].position
                        events += batch.count
                        batch = try await store.readAll(after: position, limit: batchSize)
                    }
                    try await ProjectionRegistry.swap(
                        projection, to: tables, previous: previous, through: position, on: connection, logger: logger
                    )
                }
                let elapsed = ContinuousClock.now - started
                progress(Progress(position: position, head: position, applied: events, elapsed: elapsed))
                logger.info("projection rebuilt", metadata: [
                    "projection": "\(projection.name)", "generation": "\(tables.generation)", "events": "\(events)", "through": "\(position)",
                ])
                return Result(events: events, position: position, generation: tables.generation, elapsed: elapsed)
            }
        }
    }

    private func applyBatch(_ events: [RecordedEvent], to tables: ProjectionTables, on connection: PostgresConnection) async throws {
        try await connection.inTransaction(logger: logger) { connection in
            try await apply(events, to: tables, on: connection)
        }
    }

    private func apply(_ events: [RecordedEvent], to tables: ProjectionTables, on connection: PostgresConnection) async throws {
        let relevant = events.filter { projection.reads($0.type) }
        if !relevant.isEmpty { try await projection.apply(relevant, to: tables, on: connection, logger: logger) }
    }

    private func withRebuildLock<T>(on connection: PostgresConnection, _ body: () async throws -> T) async throws -> T {
        let rows = try await connection.checkedQuery(
            "SELECT pg_try_advisory_lock(hashtext('canopy.rebuild'), hashtext(\(projection.name)))", logger: logger
        )
        var acquired = false
        for try await value in rows.decode(Bool.self) { acquired = value }
        guard acquired else { throw AlreadyRunning(description: "a rebuild of \(projection.name) is already running") }
        do {
            let result = try await body()
            try await unlock(on: connection)
            return result
        } catch {
            try? await unlock(on: connection)
            throw error
        }
    }

    private func unlock(on connection: PostgresConnection) async throws {
        try await connection.checkedQuery("SELECT pg_advisory_unlock(hashtext('canopy.rebuild'), hashtext(\(projection.name)))", logger: logger)
    }
}
