import CanopyTesting
@testable import Core
import Foundation
import PostgresNIO
import Testing

/// What PostgreSQL makes of the log's reads on a database nobody has analyzed yet (every new deployment, and
/// every test database): a start reads the identity log in pages of thousands, and a plan costed past
/// `jit_above_cost` is compiled before it runs, a tenth of a second per page.
@Suite struct ReadPlanTests {
    /// The planner's estimate of `query`: its top node's total cost and rows.
    static func estimate(_ query: PostgresQuery, on database: TestDatabase) async throws -> (cost: Double, rows: Double) {
        try await database.client.checkedQuery(PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) " + query.sql, binds: query.binds),
                                               logger: TestServers.logger) { rows in
            for try await text in rows.decode(String.self) {
                let plans = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]
                let plan = plans?.first?["Plan"] as? [String: Any]
                return (plan?["Total Cost"] as? Double ?? .infinity, plan?["Plan Rows"] as? Double ?? .infinity)
            }
            return (.infinity, .infinity)
        }
    }

    @Test func aPageOfTheLogIsCostedAsAPageWhenTheHeadHasNoStatistics() async throws {
        try await withEventStore { _, database in
            // A log of some size, written straight in SQL: only the planner's view of it matters here.
            try await database.client.checkedQuery("""
                INSERT INTO events (position, event_id, account_id, stream, stream_version, type, schema_version, data, metadata, recorded_at)
                SELECT g, gen_random_uuid(), '00000000-0000-7000-8000-000000000001', 'bench-00000000-0000-7000-8000-000000000002', g,
                       'bench.appended', 1, '{}', '{}', now()
                  FROM generate_series(1, 100000) AS g
                """, logger: TestServers.logger) { _ in }
            try await database.client.checkedQuery("UPDATE event_log_head SET position = 100000", logger: TestServers.logger) { _ in }
            // The trap needs a head the planner knows nothing about; a database that has one analyzed proves nothing.
            let head = try await Self.estimate("SELECT position FROM event_log_head", on: database)
            #expect(head.rows > 1, "event_log_head has statistics here: this test cannot see the trap")

            let jitAboveCost = try await database.client.checkedQuery("SELECT current_setting('jit_above_cost')::float8", logger: TestServers.logger) { rows in
                for try await cost in rows.decode(Double.self) { return cost }
                return 0
            }
            let read = try await Self.estimate(EventStore.readQuery(types: ["bench.appended"], after: 0, limit: 5_000, without: [:]), on: database)
            #expect(read.rows <= 5_000, "a page of 5,000 estimated at \(read.rows) rows")
            #expect(read.cost < jitAboveCost, "a page of 5,000 costed at \(read.cost): PostgreSQL would compile it (jit_above_cost \(jitAboveCost))")
        }
    }
}
