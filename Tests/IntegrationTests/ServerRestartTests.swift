import CanopyTesting
import Core
import Foundation
import PostgresNIO
import Projections
import Testing

/// RabbitMQ and PostgreSQL stopped and started again while events flow: everything resumes by itself,
/// nothing is lost, nothing is applied twice. ops/test runs this suite alone, after the others, because it
/// restarts the servers they use (`CANOPY_TEST_SERVERS_DIR` names them).
@Suite struct ServerRestartTests {
    func restart(_ server: String) async throws {
        guard let directory = ProcessInfo.processInfo.environment["CANOPY_TEST_SERVERS_DIR"] else {
            throw TestServers.Missing(description: "CANOPY_TEST_SERVERS_DIR is not set: ops/test runs this suite with it")
        }
        let script = TestServers.migrationsDirectory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("ops/lib/restart-server")
        // posix_spawn, not Foundation's Process, which waits on a descriptor the restarted server inherits.
        let outcome = try await ChildProcess.run("/bin/bash", [script.path, server, directory],
                                                 environment: ProcessInfo.processInfo.environment, timeout: .seconds(120))
        #expect(outcome.exitCode == 0, "restart-server \(server) failed: \(outcome.output)")
    }

    // Bounded: a hang (a statement waiting forever on a connection the restart closed) fails, not stalls.
    @Test(.timeLimit(.minutes(3)))
    func brokerAndDatabaseRestartMidStreamAndEverythingResumes() async throws {
        try await withPipeline { pipeline in
            let counter = try CountingConsumer.runtime(pipeline, name: "restart-counter")
            try await counter.declared()
            let catalog = try pipeline.projection()
            try await whileRunning([pipeline.relay(), counter, catalog]) {
                let writers = Writers(pipeline, count: 3)
                try await Task.sleep(for: .seconds(1))
                try await restart("rabbitmq")
                try await Task.sleep(for: .seconds(2))
                try await restart("postgres")
                try await Task.sleep(for: .seconds(2))
                let appended = await writers.stop()

                let head = try await pipeline.store.headPosition()
                #expect(head == appended)  // idempotency keys: no append made twice by the retries
                // The checkpoint is the highest position applied: after a broker restart a lower event can still
                // be on its way (republished by the relay), so wait for the content, not the checkpoint.
                let expected = try await catalogFromLog(pipeline.client)
                let done = try await eventually(timeout: .seconds(90)) {
                    guard try await CountingConsumer.counted(pipeline) == appended, catalog.checkpoint >= head else { return false }
                    return try await EventCatalog.read(on: pipeline.client, logger: TestServers.logger) == expected
                }
                #expect(done)
                #expect(try await CountingConsumer.maxTimesApplied(pipeline) == 1)
                #expect(try await EventCatalog.read(on: pipeline.client, logger: TestServers.logger) == catalogFromLog(pipeline.client))
                print("server restarts: \(appended) events; duplicates delivered and ignored: \(counter.counters.duplicates)")
            }
        }
    }
}
