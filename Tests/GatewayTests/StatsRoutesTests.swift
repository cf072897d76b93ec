import CanopyTesting
import Core
import Foundation
import Gateway
import Projections
import Testing

/// `GET /api/v1/accounts/:account_id/stats` over the real pipeline: log, relay, RabbitMQ, the catalog.
@Suite struct StatsRoutesTests {
    @Test func statsReadYourWritesAndRefuseBadParameters() async throws {
        try await withPipeline { pipeline in
            let catalog = try pipeline.projection()
            try await whileRunning([pipeline.relay(), catalog]) {
                let stats = StatsRoutes(client: pipeline.client, store: pipeline.store, catalog: catalog, logger: TestServers.logger)
                try await withGateway(store: pipeline.store, database: pipeline.database, stats: stats) { gateway in
                    let master = gateway.master
                    try await pipeline.append(5, accounts: [.v7()])
                    let position = try await pipeline.append(3, accounts: [master], types: ["account.renamed"])
                    let token = try await gateway.login().access
                    let path = "/api/v1/accounts/\(master.lowercasedString)/stats"
                    // Asked right after the append: the answer waits until the catalog has it.
                    let reply = try await gateway.call(.get, "\(path)?min_position=\(position)", token: token)
                    #expect(reply.status == .ok)
                    let entries = reply.json()["entries"] as? [[String: Any]] ?? []
                    #expect(entries.first { $0["event_type"] as? String == "account.renamed" }?["event_count"] as? Int == 3)
                    #expect(entries.allSatisfy { $0["account_id"] as? String == master.lowercasedString })
                    #expect((reply.int("position") ?? 0) >= position)
                    // A position the log has not reached: a bounded wait, then a typed 422 (no write answered it).
                    let beyond = try await gateway.call(.get, "\(path)?min_position=\(position + 100)&wait_ms=200", token: token)
                    #expect(beyond.status == .unprocessableContent && beyond.errorCode == "request.position_unknown")
                    for bad in ["min_position=-1", "min_position=x", "min_position=1&wait_ms=99999"] {
                        let reply = try await gateway.call(.get, "\(path)?\(bad)", token: token)
                        #expect(reply.status == .badRequest && reply.errorCode == "request.invalid_parameter" && !reply.errorFields.isEmpty, "\(bad)")
                    }
                    // Without a token: nothing.
                    #expect(try await gateway.call(.get, path).status == .unauthorized)
                }
            }
        }
    }
}
