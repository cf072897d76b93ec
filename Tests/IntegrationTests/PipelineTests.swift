import CanopyTesting
import Core
import Foundation
import PostgresNIO
import Projections
import Testing
import Workers

/// The log → relay → RabbitMQ → projection path in one process, against the real servers.
@Suite struct PipelineTests {
    @Test func appendsReachTheCatalogAndReadYourWritesWaitsForThem() async throws {
        try await withPipeline { pipeline in
            let accounts = (0..<5).map { _ in UUID.v7() }
            // Some history before the projection exists: its first build must take it from the log.
            try await pipeline.append(120, accounts: accounts)
            let relay = pipeline.relay()
            let catalog = try pipeline.projection()
            try await whileRunning([relay, catalog]) {
                let head = try await pipeline.append(300, accounts: accounts)
                #expect(await catalog.waitUntilApplied(head, timeout: .seconds(20)))
                let expected = try await catalogFromLog(pipeline.client)
                #expect(try await EventCatalog.read(on: pipeline.client, logger: TestServers.logger) == expected)
                #expect(expected.reduce(0) { $0 + $1.eventCount } == 420)

                // Read-your-writes: the append answers its position; waiting for it makes the read see it.
                let newcomer = UUID.v7()
                let position = try await pipeline.append(1, accounts: [newcomer], types: ["automation.created"])
                #expect(await catalog.waitUntilApplied(position, timeout: .seconds(10)))
                let read = try await EventCatalog.read(accountID: newcomer, on: pipeline.client, logger: TestServers.logger)
                #expect(read == [EventCatalog.Entry(accountID: newcomer, eventType: "automation.created", eventCount: 1, lastPosition: position)])
                // A position nobody appended yet is not reached: the wait times out.
                #expect(await catalog.waitUntilApplied(position + 1, timeout: .milliseconds(300)) == false)
                #expect(relay.checkpoint == position)
            }
        }
    }

    @Test func aRebuildWhileLiveSwapsInTheSameContentAndLaterEventsStillApplyOnce() async throws {
        try await withPipeline { pipeline in
            let accounts = (0..<3).map { _ in UUID.v7() }
            let relay = pipeline.relay()
            let catalog = try pipeline.projection()
            try await whileRunning([relay, catalog]) {
                let head = try await pipeline.append(200, accounts: accounts)
                #expect(await catalog.waitUntilApplied(head, timeout: .seconds(20)))
                let rebuilder = ProjectionRebuilder(projection: EventCatalog(), store: pipeline.store, client: pipeline.client, logger: TestServers.logger)
                // Writers keep going while the rebuild runs.
                async let writing = pipeline.append(150, accounts: accounts)
                let result = try await rebuilder.rebuild()
                let last = try await writing
                #expect(result.generation == 2)
                #expect(await catalog.waitUntilApplied(last, timeout: .seconds(20)))
                #expect(try await EventCatalog.read(on: pipeline.client, logger: TestServers.logger) == catalogFromLog(pipeline.client))
                // The old generation is gone; the view reads the new one.
                let tables = try await pipeline.database.count("pg_tables WHERE tablename LIKE 'event_catalog_g%'")
                #expect(tables == 1)
            }
        }
    }

    @Test func aSecondRelayWaitsAndTakesOverWhenTheFirstStops() async throws {
        try await withPipeline { pipeline in
            let first = pipeline.relay(), second = pipeline.relay()
            let counter = try CountingConsumer.runtime(pipeline, name: "takeover")
            try await counter.declared()
            try await whileRunning([counter]) {
                let firstTask = Task { try await first.run() }
                let head = try await pipeline.append(100, accounts: [UUID.v7()])
                #expect(try await eventually { first.checkpoint == head })
                try await whileRunning([second]) {
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(second.publishedCount == 0)  // it waits for the lock
                    firstTask.cancel()
                    _ = await firstTask.result
                    let more = try await pipeline.append(100, accounts: [UUID.v7()])
                    #expect(try await eventually { second.checkpoint == more })
                    #expect(try await eventually { try await CountingConsumer.counted(pipeline) == 200 })
                    #expect(try await CountingConsumer.maxTimesApplied(pipeline) == 1)
                }
            }
        }
    }

    /// Invariant 2 for read models: every projection table, whatever the projection declares, and the inbox
    /// carry a non-null account_id.
    @Test func everyReadModelRowIsBoundToAnAccount() async throws {
        try await withPipeline { pipeline in
            var tables = ["consumer_inbox"]
            for projection in KnownProjections.all {
                let result = try await ProjectionRebuilder(projection: projection, store: pipeline.store, client: pipeline.client, logger: TestServers.logger).rebuild()
                tables += projection.tables.map { ProjectionTables(generation: result.generation).physical($0.name) }
            }
            for table in tables {
                let bound = try await pipeline.client.checkedQuery("""
                    SELECT count(*) FROM information_schema.columns
                    WHERE table_name = \(table) AND column_name = 'account_id' AND data_type = 'uuid' AND is_nullable = 'NO'
                    """, logger: TestServers.logger) { rows in
                    var count = 0
                    for try await value in rows.decode(Int.self) { count = value }
                    return count
                }
                #expect(bound == 1, "\(table) has no account_id uuid NOT NULL")
            }
        }
    }
}
