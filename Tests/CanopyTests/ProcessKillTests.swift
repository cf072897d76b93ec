import CanopyTesting
import Core
import Foundation
import PostgresNIO
import Projections
import Synchronization
import Testing

/// Real `canopy` processes killed with SIGKILL at random moments while writers append.
@Suite struct ProcessKillTests {
    func scalar(_ sql: String, _ pipeline: Pipeline) async throws -> Int64 {
        let rows = try await pipeline.client.query(PostgresQuery(unsafeSQL: sql), logger: TestServers.logger)
        for try await value in rows.decode(Int64.self) { return value }
        return 0
    }

    @Test func theRelayKilled20TimesLosesNoEventAndEachIsCountedOnce() async throws {
        try await withPipeline { pipeline in
            let counter = try CountingConsumer.runtime(pipeline, name: "counter")
            try await counter.declared()
            try await whileRunning([counter]) {
                let writers = Writers(pipeline)
                var checkpoints: [Int64] = []
                for _ in 0..<20 {
                    let relay = try CanopyProcess.serve(["relay"], pipeline)
                    try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_200)))
                    await relay.kill9()
                    checkpoints.append(try await scalar("SELECT coalesce(max(position), 0) FROM relay_checkpoints", pipeline))
                }
                let appended = await writers.stop()
                // The killed relays made progress (they were killed mid-stream, not before they started).
                #expect(checkpoints.last! > 0)
                #expect(Set(checkpoints).count > 5)

                let survivor = try CanopyProcess.serve(["relay"], pipeline)
                let total = try await scalar("SELECT count(*) FROM events", pipeline)
                #expect(total == appended)
                let allCounted = try await eventually(timeout: .seconds(60)) { try await CountingConsumer.counted(pipeline) == total }
                #expect(allCounted)
                #expect(try await scalar("SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM counted c WHERE c.event_id = e.event_id)", pipeline) == 0)
                #expect(try await CountingConsumer.maxTimesApplied(pipeline) == 1)
                #expect(await survivor.stop() == 0)
                print("relay kills: \(appended) events, checkpoints after each kill \(checkpoints), duplicates delivered and ignored: \(counter.counters.duplicates)")
            }
        }
    }

    @Test func aProjectionProcessKilledWhileApplyingEndsEqualToARebuild() async throws {
        try await withPipeline { pipeline in
            try await whileRunning([pipeline.relay()]) {
                try await pipeline.append(500, accounts: (0..<4).map { _ in UUID.v7() })
                let writers = Writers(pipeline)
                for _ in 0..<8 {
                    let projections = try CanopyProcess.serve(["projections"], pipeline)
                    try await Task.sleep(for: .milliseconds(Int.random(in: 400...1_500)))
                    await projections.kill9()
                }
                _ = await writers.stop()

                let survivor = try CanopyProcess.serve(["projections"], pipeline)
                let head = try await pipeline.store.headPosition()
                let caughtUp = try await eventually(timeout: .seconds(60)) {
                    try await scalar("SELECT coalesce(max(checkpoint), 0) FROM projections WHERE name = 'event_catalog'", pipeline) >= head
                }
                #expect(caughtUp)
                let live = try await EventCatalog.read(on: pipeline.client, logger: TestServers.logger)
                #expect(live == (try await catalogFromLog(pipeline.client)))
                #expect(live.reduce(0) { $0 + $1.eventCount } == head)

                // And equal to what `canopy rebuild` makes of the log.
                let rebuild = try CanopyProcess(["rebuild", "event_catalog", "--database-url", pipeline.database.url.urlString])
                let (status, output) = try await rebuild.waitForOutput()
                #expect(status == 0)
                #expect(output.contains("rebuilt event_catalog: \(head) events"))
                #expect(try await EventCatalog.read(on: pipeline.client, logger: TestServers.logger) == live)
                #expect(await survivor.stop() == 0)
            }
        }
    }
}
