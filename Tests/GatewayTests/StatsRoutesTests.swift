import CanopyTesting
import Core
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import Projections
import Testing

/// `GET /api/v1/stats` over the real pipeline: log, relay, RabbitMQ, the catalog projection.
@Suite struct StatsRoutesTests {
    struct Stats: Decodable {
        struct Entry: Decodable, Equatable {
            var account_id: UUID
            var event_type: String
            var event_count: Int64
            var last_position: Int64
        }

        var position: Int64
        var total_events: Int64
        var entries: [Entry]
    }

    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            var code: String
            var fields: [String: String]
        }

        var error: Detail
    }

    @Test func statsReadYourWritesAndRefuseBadParameters() async throws {
        try await withPipeline { pipeline in
            let catalog = try pipeline.projection()
            try await whileRunning([pipeline.relay(), catalog]) {
                let account = UUID.v7(), other = UUID.v7()
                try await pipeline.append(5, accounts: [other])
                let position = try await pipeline.append(3, accounts: [account], types: ["account.renamed"])
                let router = Gateway.router(health: HealthRoutes(checks: [], readiness: Readiness()),
                                            stats: StatsRoutes(client: pipeline.client, catalog: catalog, logger: TestServers.logger))
                try await Application(router: router).test(.router) { client in
                    // Asked right after the append: the answer waits until the catalog has it.
                    try await client.execute(uri: "/api/v1/stats?account_id=\(account.lowercasedString)&min_position=\(position)", method: .get) { response in
                        #expect(response.status == .ok)
                        let stats = try JSONDecoder().decode(Stats.self, from: Data(buffer: response.body))
                        #expect(stats.position >= position)
                        #expect(stats.entries == [.init(account_id: account, event_type: "account.renamed", event_count: 3, last_position: position)])
                        #expect(stats.total_events == 3)
                    }
                    try await client.execute(uri: "/api/v1/stats", method: .get) { response in
                        let stats = try JSONDecoder().decode(Stats.self, from: Data(buffer: response.body))
                        #expect(stats.total_events == 8)
                    }
                    // A position nobody wrote yet: a bounded wait, then a typed 503.
                    try await client.execute(uri: "/api/v1/stats?min_position=\(position + 100)&wait_ms=200", method: .get) { response in
                        #expect(response.status == .serviceUnavailable)
                        let body = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
                        #expect(body.error.code == "projection.behind")
                    }
                    for bad in ["account_id=nope", "min_position=-1", "min_position=x", "min_position=1&wait_ms=99999"] {
                        try await client.execute(uri: "/api/v1/stats?\(bad)", method: .get) { response in
                            #expect(response.status == .badRequest, "\(bad)")
                            let body = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
                            #expect(body.error.code == "request.invalid_parameter")
                            #expect(!body.error.fields.isEmpty)
                        }
                    }
                }
            }
        }
    }
}
