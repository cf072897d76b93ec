import Core
import Foundation
import Logging
import PostgresNIO
import Projections

/// `canopy rebuild`'s path (the event catalog rebuilt from a seeded log), beside PostgreSQL computing the
/// same catalog in one GROUP BY over the same log.
struct RebuildBenchmark {
    let server: DatabaseURL
    let events: Int
    let logger: Logger

    struct Result {
        var canopy: Double
        var sql: Double
    }

    func run() async throws -> Result {
        let database = try await BenchEnvironment.freshDatabase("canopy_bench_rebuild", on: server, logger: logger)
        return try await BenchEnvironment.withStore(database, logger: logger) { client, store in
            try await BenchEnvironment.seed(store, count: events, perAppend: 1_000)
            try await client.query("VACUUM ANALYZE events", logger: logger)

            let started = ContinuousClock.now
            try await client.query("""
                SELECT account_id, type, count(*), max(position) FROM events GROUP BY account_id, type
                """, logger: logger)
            let sql = Double(events) / (ContinuousClock.now - started).seconds

            let result = try await ProjectionRebuilder(projection: EventCatalog(), store: store, client: client, logger: logger).rebuild()
            guard result.events == events else {
                throw BenchmarkFailure(description: "the rebuild read \(result.events) events, not \(events)")
            }
            return Result(canopy: result.eventsPerSecond, sql: sql)
        }
    }
}
