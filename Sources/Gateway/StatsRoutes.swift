import Foundation
import Hummingbird
public import Logging
public import PostgresNIO
public import Projections
public import Core

/// `GET /api/v1/accounts/:account_id/stats`: the account's event catalog (events per type, last
/// positions), for callers whose groups hold `stats.read` there.
///
/// `min_position=N` is read-your-writes: the answer waits (up to `wait_ms`, default 2000, at most 10000)
/// until the catalog has applied position N, or answers 503 `projection.behind`.
public struct StatsRoutes: Sendable {
    let client: PostgresClient
    let store: EventStore
    let catalog: ProjectionRuntime
    let logger: Logger

    public init(client: PostgresClient, store: EventStore, catalog: ProjectionRuntime, logger: Logger) {
        self.client = client
        self.store = store
        self.catalog = catalog
        self.logger = logger
    }

    struct Stats: Encodable {
        /// The catalog has applied the log up to here.
        var position: Int64
        var totalEvents: Int64
        var entries: [EventCatalog.Entry]

        enum CodingKeys: String, CodingKey {
            case position, totalEvents = "total_events", entries
        }
    }

    public func register(on routes: SecuredRouter) {
        routes.on(.get, "accounts/:account_id/stats", .permission(.statsRead, on: .account(parameter: "account_id"))) { request, _, authorized in
            let account = try authorized.resourceAccountID
            try await MinimumPosition(request)?.await({ await catalog.waitUntilApplied($0, timeout: $1) }, head: store.headPosition)
            let position = catalog.checkpoint
            let entries = try await EventCatalog.read(accountID: account, on: client, logger: logger)
            return try JSONBody.response(Stats(position: position, totalEvents: entries.reduce(0) { $0 + $1.eventCount }, entries: entries))
        }
    }
}
