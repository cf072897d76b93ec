import Core
import Foundation
import Logging
import PostgresNIO

/// Appends of one ≈300-byte event through the event store, beside pgbench inserting the same row shape into
/// a copy of the events table (same columns, constraints and indexes), in a database of its own.
struct AppendBenchmark {
    let server: DatabaseURL
    let duration: Duration
    let pgbench: String
    let inFlight: Int
    let logger: Logger

    var database: DatabaseURL { server.database("canopy_bench") }

    /// ≈300 bytes, shaped like an attendance ingest.
    static let payload = #"{"agent_id":"0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0d","attendance_id":"0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0e","channel":"whatsapp","funnel_stage":"qualified","origin":"instagram_ads","quality_score":87,"response_seconds":42,"summary":"Customer asked about the premium plan, pricing sent, follow-up scheduled for Friday."}"#

    func prepare() async throws {
        _ = try await BenchEnvironment.freshDatabase("canopy_bench", on: server, logger: logger)
        try await database.withConnection(logger: logger) { bench in
            try await bench.query("CREATE TABLE pgbench_events (LIKE events INCLUDING ALL)", logger: logger)
            try await bench.query("CREATE SEQUENCE pgbench_positions", logger: logger)
        }
    }

    func pgbenchTPS(clients: Int) async throws -> Double {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("canopy-bench-append-\(getpid()).sql")
        try """
            INSERT INTO pgbench_events (position, event_id, account_id, stream, stream_version, type, schema_version, data, metadata, recorded_at)
            VALUES (nextval('pgbench_positions'), gen_random_uuid(), '0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0f', 'bench-' || gen_random_uuid(), 1,
                    'bench.appended', 1, :payload::jsonb, :metadata::jsonb, clock_timestamp());
            """.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }

        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = database.password ?? ""
        let run = try await ChildProcess.run(pgbench, [
            "-n", "-M", "prepared", "-c", "\(clients)", "-j", "\(min(clients, 2))",
            "-T", "\(duration.components.seconds)", "-f", script.path,
            // Bound as parameters in prepared mode, as the append path binds them.
            "-D", "payload=\(Self.payload)", "-D", #"metadata={"actor":"system:bench"}"#,
            "-h", database.host, "-p", "\(database.port)", "-U", database.username, database.database,
        ], environment: environment, timeout: duration + .seconds(60))
        guard run.exitCode == 0,
              let line = run.output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
              let tps = Double(line.dropFirst(6).prefix(while: { $0 != " " })) else {
            throw BenchmarkFailure(description: "pgbench failed (exit \(run.exitCode)):\n\(run.output)")
        }
        return tps
    }

    func canopyEventsPerSecond(clients: Int) async throws -> Double {
        var configuration = EventStore.Configuration()
        configuration.maxInFlightBatches = inFlight
        let account = UUID.v7()
        return try await BenchEnvironment.withStore(database, configuration: configuration, logger: logger) { _, store in
            // Each client appends to a stream of its own with an exact expected version, as an aggregate would.
            let deadline = ContinuousClock.now + .seconds(1) + duration
            let start = deadline - duration
            let counts = try await withThrowingTaskGroup(of: Int.self) { workers in
                for _ in 0..<clients {
                    workers.addTask {
                        let stream = try StreamName(category: "bench", id: .v7())
                        var version: Int64 = 0
                        var counted = 0
                        while ContinuousClock.now < deadline {
                            let event = NewEvent(type: "bench.appended", data: Self.payload, metadata: .init(actor: "system:bench"))
                            let result = try await store.append(AppendRequest(
                                stream: stream, accountID: account,
                                expectedVersion: version == 0 ? .noStream : .exactly(version), events: [event]
                            ))
                            version = result.streamVersion
                            if ContinuousClock.now >= start { counted += 1 }  // the first second warms the pool up
                        }
                        return counted
                    }
                }
                return try await workers.reduce(0, +)
            }
            return Double(counts) / Double(duration.components.seconds)
        }
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}
