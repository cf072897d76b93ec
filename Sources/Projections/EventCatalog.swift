public import Core
public import Foundation
public import Logging
public import PostgresNIO

/// The event log's own catalog: how many events of each type each account has, and the last position of
/// each. The first projection, proving the path from an append to a read model.
public struct EventCatalog: Projection {
    public let name = "event_catalog"
    public let eventTypes = ["#"]
    public let tables = [
        ProjectionTable(
            name: "event_catalog",
            columns: "event_type text NOT NULL, event_count bigint NOT NULL, last_position bigint NOT NULL, PRIMARY KEY (account_id, event_type)"
        ),
    ]

    public init() {}

    public func apply(_ events: [RecordedEvent], to tables: ProjectionTables, on connection: PostgresConnection, logger: Logger) async throws {
        struct Key: Hashable {
            var account: UUID
            var type: String
        }
        var counts: [Key: (count: Int64, last: Int64)] = [:]
        for event in events {
            let key = Key(account: event.accountID, type: event.type)
            let current = counts[key] ?? (0, 0)
            counts[key] = (current.count + 1, max(current.last, event.position))
        }
        let keys = Array(counts.keys)
        let table = tables.physical("event_catalog")
        try await connection.checkedQuery("""
            INSERT INTO \(unescaped: table) AS catalog (account_id, event_type, event_count, last_position)
            SELECT * FROM unnest(\(keys.map(\.account))::uuid[], \(keys.map(\.type))::text[], \(keys.map { counts[$0]!.count })::int8[], \(keys.map { counts[$0]!.last })::int8[])
            ON CONFLICT (account_id, event_type) DO UPDATE
            SET event_count = catalog.event_count + excluded.event_count, last_position = greatest(catalog.last_position, excluded.last_position)
            """, logger: logger)
    }

    public struct Entry: Sendable, Hashable, Codable {
        public var accountID: UUID
        public var eventType: String
        public var eventCount: Int64
        public var lastPosition: Int64

        enum CodingKeys: String, CodingKey {
            case accountID = "account_id", eventType = "event_type", eventCount = "event_count", lastPosition = "last_position"
        }

        public init(accountID: UUID, eventType: String, eventCount: Int64, lastPosition: Int64) {
            self.accountID = accountID
            self.eventType = eventType
            self.eventCount = eventCount
            self.lastPosition = lastPosition
        }
    }

    /// What the catalog says, for one account or all, ordered by account then type.
    public static func read(accountID: UUID? = nil, on client: PostgresClient, logger: Logger) async throws -> [Entry] {
        let query: PostgresQuery = if let accountID {
            """
            SELECT account_id, event_type, event_count, last_position FROM event_catalog
            WHERE account_id = \(accountID) ORDER BY event_type
            """
        } else {
            "SELECT account_id, event_type, event_count, last_position FROM event_catalog ORDER BY account_id, event_type"
        }
        return try await client.checkedQuery(query, logger: logger) { rows in
            var entries: [Entry] = []
            for try await (account, type, count, last) in rows.decode((UUID, String, Int64, Int64).self) {
                entries.append(Entry(accountID: account, eventType: type, eventCount: count, lastPosition: last))
            }
            return entries
        }
    }
}
