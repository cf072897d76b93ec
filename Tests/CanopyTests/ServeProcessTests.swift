import CanopyTesting
import Core
import Foundation
import PostgresNIO
import Testing

/// The built `canopy` binary, run as a deployment would run it.
@Suite struct ServeProcessTests {
    /// curl's output for `arguments` (several transfers at once with `-Z` and `--next`).
    func curl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }

    func curl(_ url: String, headers: [String] = [], post body: String? = nil) throws -> (status: Int, body: String) {
        let text = try curl(["-s", "-m", "5", "-w", "\n%{http_code}"] + headers.flatMap { ["-H", $0] }
                            + (body.map { ["-H", "Content-Type: application/json", "-d", $0] } ?? []) + [url])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    struct Token: Decodable { var accessToken: String }
    struct Me: Decodable { struct Account: Decodable { var id: String }; var account: Account }
    struct Groups: Decodable { struct Group: Decodable { var id: String }; var groups: [Group] }

    @Test func serveMigratesAnswersHealthAndStopsGracefullyOnSIGTERM() async throws {
        try await TestDatabase.with { database in
            // A blank database: serve must apply the migrations itself.
            let name = "serve_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
            try await database.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: TestServers.logger)
            let url = try TestServers.database().database(name)
            let port = try TestServers.freePort(), metricsPort = try TestServers.freePort()

            let process = try CanopyProcess(["serve", "--database-url", url.urlString, "--amqp-url", try TestServers.amqpURL(),
                                             "--port", "\(port)", "--metrics-port", "\(metricsPort)", "--log-level", "warning"])

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

            // Writes through the process as deployed (its tasks on NIO's event loops): `bootstrap` appends
            // the master account, and a login on the running server appends a session and answers. Two
            // bootstraps at once both succeed, and only one makes a master.
            let bootstraps = try (0..<2).map { _ in
                try CanopyProcess(["bootstrap", "--database-url", url.urlString, "--amqp-url", try TestServers.amqpURL(), "--log-level", "warning"],
                                  environment: ["CANOPY_PLATFORM_ADMIN_PASSWORD": "process-test-password"])
            }
            var outputs: [String] = []
            for bootstrap in bootstraps {
                let made = try await bootstrap.waitForOutput(within: .seconds(60))
                #expect(made.status == 0, "\(made.output)")
                outputs.append(made.output)
            }
            #expect(outputs.filter { $0.contains("master account") }.count == 1 && outputs.filter { $0.contains("already bootstrapped") }.count == 1, "\(outputs)")
            var login = (status: 0, body: "")
            let loginDeadline = ContinuousClock.now + .seconds(10)
            repeat {  // the server's view learns of the bootstrap through the log
                login = try curl("http://127.0.0.1:\(port)/api/v1/auth/login",
                                 post: #"{"email":"admin@canopy.test","password":"process-test-password"}"#)
                if login.status != 200 { try await Task.sleep(for: .milliseconds(100)) }
            } while login.status != 200 && ContinuousClock.now < loginDeadline
            #expect(login.status == 200 && login.body.contains("access_token"), "\(login.body)")

            // Sixteen renames at once: most wait for a batch another request's task runs, and are resumed
            // from there. Every one is answered (a rename of a group another one just renamed may be refused
            // as a conflict after its retries, but never left waiting).
            let token = try WireJSON.decode(Token.self, from: login.body).accessToken
            let bearer = "Authorization: Bearer \(token)"
            let master = try WireJSON.decode(Me.self, from: try curl("http://127.0.0.1:\(port)/api/v1/me", headers: [bearer]).body).account.id
            let groups = try WireJSON.decode(Groups.self, from: try curl("http://127.0.0.1:\(port)/api/v1/accounts/\(master)/groups", headers: [bearer]).body).groups
            #expect(groups.count >= 3)
            var transfers: [String] = ["-Z", "--parallel-max", "16"]
            for index in 0..<16 {
                let group = groups[index % groups.count].id
                transfers += ["-s", "-m", "10", "-X", "PATCH", "-H", bearer, "-H", "Content-Type: application/json",
                              "-d", #"{"name":"Renamed \#(index)"}"#, "-w", "\n%{http_code}\n",
                              "http://127.0.0.1:\(port)/api/v1/accounts/\(master)/groups/\(group)"] + (index < 15 ? ["--next"] : [])
            }
            let output: String = try curl(transfers)
            let statuses = output.components(separatedBy: "\n").filter { $0.count == 3 && $0.allSatisfy(\.isNumber) }
            #expect(statuses.count == 16 && statuses.allSatisfy { $0 == "200" || $0 == "409" }, "\(statuses)")
            #expect(statuses.contains("200"))

            // What it did, in Prometheus's format on its metrics port: its appends, the requests by route
            // pattern, how far its view, relay and projections have come.
            let renamed = statuses.filter { $0 == "200" }.count
            var metrics = Metrics(text: "")
            let metricsDeadline = ContinuousClock.now + .seconds(15)
            repeat {
                metrics = Metrics(text: try curl("http://127.0.0.1:\(metricsPort)/metrics").body)
                if metrics.value("canopy_consumer_events_total", ["consumer": "projection.event_catalog", "result": "applied"]) ?? 0 < Double(renamed + 1) {
                    try await Task.sleep(for: .milliseconds(200))
                }
            } while metrics.value("canopy_consumer_events_total", ["consumer": "projection.event_catalog", "result": "applied"]) ?? 0 < Double(renamed + 1)
                && ContinuousClock.now < metricsDeadline
            #expect(metrics.value("canopy_appends_total", ["outcome": "appended"]) ?? 0 >= Double(renamed + 1), "the renames and the login's session")
            #expect(metrics.value("canopy_events_appended_total") ?? 0 >= Double(renamed + 1))
            #expect(metrics.value("canopy_append_batches_total") ?? 0 >= 1)
            #expect(metrics.value("canopy_http_requests_total", ["route": "/api/v1/accounts/{account_id}/groups/{group_id}", "method": "PATCH",
                                                                 "status": "200"]) == Double(renamed), "\(metrics.text)")
            #expect(metrics.value("canopy_http_request_duration_seconds_count", ["route": "/api/v1/auth/login", "method": "POST", "status": "200"]) ?? 0 >= 1)
            #expect(metrics.value("canopy_identity_view_position") ?? 0 >= Double(renamed + 1))
            #expect(metrics.value("canopy_relay_published_events_total", ["relay": "events"]) ?? 0 >= Double(renamed + 1), "\(metrics.text)")
            #expect(metrics.value("canopy_consumer_events_total", ["consumer": "projection.event_catalog", "result": "applied"]) ?? 0 >= Double(renamed + 1))
            #expect(try curl("http://127.0.0.1:\(port)/metrics").status == 404, "not on the API's port")

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

/// Prometheus's text format, read line by line: `name{label="value",...} number`.
private struct Metrics {
    let text: String

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let number = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            let (seriesName, labelText) = series.firstIndex(of: "{").map { (series[..<$0], series[$0...].dropFirst().dropLast()) } ?? (series, "")
            guard seriesName == name else { continue }
            let found = Dictionary(labelText.split(separator: ",").compactMap { pair -> (String, String)? in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), String(parts[1].dropFirst().dropLast())) : nil
            }, uniquingKeysWith: { first, _ in first })
            if labels.allSatisfy({ found[$0.key] == $0.value }) { return number }
        }
        return nil
    }
}
