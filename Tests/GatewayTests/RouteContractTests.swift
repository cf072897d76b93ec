import CanopyTesting
import Core
import Foundation
import Gateway
import Testing

/// `schemas/openapi.yaml` is the contract: it lists exactly the routes the gateway registers, no more and no
/// fewer. (Its bodies are checked against live answers by schemathesis in `ops/test`.)
@Suite struct RouteContractTests {
    /// `GET /api/v1/accounts/:account_id` for every operation of the file. Its layout is fixed: paths at two
    /// spaces under `paths:`, methods at four.
    static func documentedRoutes() throws -> Set<String> {
        let text = try String(contentsOf: TestServers.schemasDirectory.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        let prefix = try #require(text.split(separator: "\n").first { $0.hasPrefix("  - url: ") }).dropFirst("  - url: ".count)
        var routes: Set<String> = [], path: String?, inPaths = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") { inPaths = line == "paths:"; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast()).replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"),
                      ["get", "post", "put", "patch", "delete"].contains(line.trimmingCharacters(in: .whitespaces).dropLast()) {
                routes.insert("\(line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()) \(prefix)\(path)")
            }
        }
        return routes
    }

    @Test func theContractListsExactlyTheRegisteredRoutes() async throws {
        try await withPipeline { pipeline in
            let stats = StatsRoutes(client: pipeline.client, store: pipeline.store, catalog: try pipeline.projection(), logger: TestServers.logger)
            try await withGateway(store: pipeline.store, database: pipeline.database, stats: stats) { gateway in
                let registered = Set(gateway.routes.map { "\($0.method) \($0.path)" })
                let documented = try Self.documentedRoutes()
                #expect(registered.count >= 28)
                #expect(registered.subtracting(documented).isEmpty, "registered but not in openapi.yaml: \(registered.subtracting(documented).sorted())")
                #expect(documented.subtracting(registered).isEmpty, "in openapi.yaml but not registered: \(documented.subtracting(registered).sorted())")
            }
        }
    }
}
