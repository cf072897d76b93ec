import Foundation
public import Hummingbird
public import Logging
public import PostgresNIO
public import Projections

/// `GET /api/v1/stats`: the event catalog (events per account and type, last positions).
///
/// `account_id` narrows it to one account. `min_position=N` is read-your-writes: the answer waits (up to
/// `wait_ms`, default 2000, at most 10000) until the catalog has applied position N, or answers 503
/// `projection.behind`. Unauthenticated and loopback-only for now; the identity work puts it behind the
/// authorization check.
public struct StatsRoutes: Sendable {
    let client: PostgresClient
    let catalog: ProjectionRuntime
    let logger: Logger

    public init(client: PostgresClient, catalog: ProjectionRuntime, logger: Logger) {
        self.client = client
        self.catalog = catalog
        self.logger = logger
    }

    struct Stats: ResponseEncodable {
        /// The catalog has applied the log up to here.
        var position: Int64
        var totalEvents: Int64
        var entries: [EventCatalog.Entry]

        enum CodingKeys: String, CodingKey {
            case position, totalEvents = "total_events", entries
        }
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("api/v1/stats") { request, _ -> Stats in
            let query = request.uri.queryParameters
            var account: UUID?
            if let text = query.get("account_id") {
                guard let id = UUID(uuidString: text) else {
                    throw APIError(.badRequest, code: "request.invalid_parameter", message: "account_id is not a UUID", fields: ["account_id": "not a UUID"])
                }
                account = id
            }
            if let text = query.get("min_position") {
                guard let position = Int64(text), position >= 0 else {
                    throw APIError(.badRequest, code: "request.invalid_parameter", message: "min_position is a log position (0 or more)",
                                   fields: ["min_position": "not a non-negative integer"])
                }
                var wait = 2_000
                if let waitText = query.get("wait_ms") {
                    guard let value = Int(waitText), (0...10_000).contains(value) else {
                        throw APIError(.badRequest, code: "request.invalid_parameter", message: "wait_ms is 0 to 10000", fields: ["wait_ms": "out of range"])
                    }
                    wait = value
                }
                guard await catalog.waitUntilApplied(position, timeout: .milliseconds(wait)) else {
                    throw APIError(.serviceUnavailable, code: "projection.behind",
                                   message: "the catalog has not applied position \(position) yet; try again",
                                   fields: ["min_position": "at \(catalog.checkpoint)"])
                }
            }
            let position = catalog.checkpoint
            let entries = try await EventCatalog.read(accountID: account, on: client, logger: logger)
            return Stats(position: position, totalEvents: entries.reduce(0) { $0 + $1.eventCount }, entries: entries)
        }
    }
}
