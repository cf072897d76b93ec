import CanopyTesting
import Core
import Foundation
import PostgresNIO
import Testing

/// The built `canopy` binary, run as a deployment would run it.
@Suite struct ServeProcessTests {
    func curl(_ url: String) throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-m", "5", "-w", "\n%{http_code}", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test func serveMigratesAnswersHealthAndStopsGracefullyOnSIGTERM() async throws {
        try await TestDatabase.with { database in
            // A blank database: serve must apply the migrations itself.
            let name = "serve_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
            try await database.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: TestServers.logger)
            let url = try TestServers.database().database(name)
            let port = try TestServers.freePort()

            let process = try CanopyProcess(["serve", "--database-url", url.urlString, "--amqp-url", try TestServers.amqpURL(),
                                             "--port", "\(port)", "--log-level", "warning"])

            var ready = (status: 0, body: "")
            let deadline = ContinuousClock.now + .seconds(30)
            while ready.status != 200, process.process.isRunning, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                ready = try curl("http://127.0.0.1:\(port)/ready")
            }
            #expect(ready.status == 200)
            let health = try curl("http://127.0.0.1:\(port)/health")
            #expect(health.status == 200)
            #expect(health.body.contains(#""postgres":"ok""#) && health.body.contains(#""rabbitmq":"ok""#))

            // Exits by itself, with status 0, within 20 s of SIGTERM.
            #expect(await process.stop() == 0)

            let migrations = try Migrator(directory: TestServers.migrationsDirectory).migrations.count
            let applied = try await TestDatabase.withRawConnection(to: url) { connection in
                var count = 0
                for try await rows in try await connection.query("SELECT count(*) FROM schema_migrations", logger: TestServers.logger).decode(Int.self) {
                    count = rows
                }
                return count
            }
            #expect(applied == migrations)
            try await database.client.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: TestServers.logger)
        }
    }
}
