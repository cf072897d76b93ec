import CanopyTesting
import Core
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import ServiceLifecycle
import Testing

@Suite struct HealthRoutesTests {
    struct Report: Decodable {
        var status: String
        var checks: [String: String]
    }

    /// The two real checks, on a database client that is connected first: under the whole suite on a fresh
    /// clone, opening the first connection alone has taken longer than a check's 2 s, and these tests are
    /// about the report, not connection set-up.
    func routes(_ database: TestDatabase, amqp: AMQPEndpoint) async throws -> HealthRoutes {
        try await database.client.query("SELECT 1")
        return HealthRoutes(checks: [
            HealthCheck(name: "postgres") { try await database.client.query("SELECT 1") },
            HealthCheck(name: "rabbitmq") { try await AMQPProbe.check(amqp) },
        ], readiness: Readiness())
    }

    func health(_ routes: HealthRoutes, mode: TestingSetup = .router) async throws -> (HTTPResponse.Status, Report) {
        let app = Application(router: Gateway.router(health: routes, api: nil).router)
        return try await app.test(mode) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                (response.status, try JSONDecoder().decode(Report.self, from: Data(buffer: response.body)))
            }
        }
    }

    @Test func healthIsGreenWhenPostgresAndRabbitMQAnswer() async throws {
        try await TestDatabase.with { database in
            let routes = try await routes(database, amqp: try TestServers.amqp())
            let (status, report) = try await health(routes, mode: .live)
            #expect(status == .ok)
            #expect(report.status == "ok")
            #expect(report.checks == ["postgres": "ok", "rabbitmq": "ok"])
        }
    }

    @Test func healthNamesTheDependencyThatIsDown() async throws {
        try await TestDatabase.with { database in
            var unreachable = try TestServers.amqp()
            unreachable.port = 1   // nothing listens on a privileged port here
            let (status, report) = try await health(routes(database, amqp: unreachable))
            #expect(status == .serviceUnavailable)
            #expect(report.checks["postgres"] == "ok")
            #expect(report.checks["rabbitmq"]?.hasPrefix("failed") == true)
        }
    }

    @Test func healthFailsWhenTheBrokerRefusesOurCredentials() async throws {
        try await TestDatabase.with { database in
            var wrong = try TestServers.amqp()
            wrong.password = "not-the-password"
            let (status, report) = try await health(routes(database, amqp: wrong))
            #expect(status == .serviceUnavailable)
            #expect(report.checks["rabbitmq"]?.contains("refused the login") == true)
        }
    }

    @Test func aCheckThatHangsFailsAtItsTimeout() async throws {
        let routes = HealthRoutes(
            checks: [HealthCheck(name: "slow") { try await Task.sleep(for: .seconds(60)) }], readiness: Readiness(), timeout: .milliseconds(50)
        )
        let (status, report) = try await health(routes)
        #expect(status == .serviceUnavailable)
        #expect(report.checks["slow"]?.contains("no answer") == true)
    }

    @Test func readinessFollowsStartUpAndShutdown() async throws {
        let readiness = Readiness()
        let app = Application(router: Gateway.router(health: HealthRoutes(checks: [], readiness: readiness), api: nil).router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { #expect($0.status == .serviceUnavailable) }
            readiness.markReady()
            try await client.execute(uri: "/ready", method: .get) { #expect($0.status == .ok) }
            readiness.markDraining()
            try await client.execute(uri: "/ready", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
    }

    @Test func everyResponseCarriesARequestID() async throws {
        let app = Application(router: Gateway.router(health: HealthRoutes(checks: [], readiness: Readiness()), api: nil).router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/ready", method: .get, headers: [.requestID: "abc-123"]) {
                #expect($0.headers[.requestID] == "abc-123")
            }
            try await client.execute(uri: "/ready", method: .get, headers: [.requestID: "has space"]) {
                #expect($0.headers[.requestID].flatMap(UUID.init(uuidString:)) != nil)
            }
        }
    }

    @Test func unknownRoutesAnswerInTheOneErrorShape() async throws {
        let app = Application(router: Gateway.router(health: HealthRoutes(checks: [], readiness: Readiness()), api: nil).router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: [String: Any]]
                #expect(body?["error"]?["code"] as? String == "route.not_found")
                #expect(body?["error"]?["request_id"] as? String == response.headers[.requestID])
            }
        }
    }
}

@Suite struct ReadinessServiceTests {
    @Test func readinessTurnsToDrainingWhenShutdownBegins() async throws {
        let readiness = Readiness()
        readiness.markReady()
        let group = ServiceGroup(configuration: .init(services: [ReadinessService(readiness)], logger: TestServers.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(50))
            #expect(readiness.isReady)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(!readiness.isReady)
    }
}
