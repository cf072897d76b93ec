public import Core
public import Logging
public import PostgresNIO

/// A read model built from the log: a name, the event types it reads, its tables, and how an event changes
/// them. The runtime applies each event exactly once (live, from the projection's queue) and can rebuild
/// the tables from the log at any time (`ProjectionRebuilder`).
public protocol Projection: Sendable {
    /// 1-40 of a-z, 0-9 and _, starting with a letter.
    var name: String { get }
    /// Topic patterns on event types (`account.*`; `#` is every type).
    var eventTypes: [String] { get }
    var tables: [ProjectionTable] { get }
    /// Applies events in log order to `tables`, inside a transaction on `connection` (statements through
    /// `connection.checkedQuery`).
    func apply(_ events: [RecordedEvent], to tables: ProjectionTables, on connection: PostgresConnection, logger: Logger) async throws
}

extension Projection {
    public func reads(_ type: String) -> Bool {
        eventTypes.contains { TopicPattern.matches($0, type) }
    }

    /// The consumer (and queue) the projection runs as: `projection.<name>`.
    public var consumerName: String { "projection.\(name)" }
}

/// One table of a projection. Every table gets an `account_id uuid NOT NULL` column first, so every row is
/// bound to an account; `columns` declares the rest (and constraints, which may name account_id).
public struct ProjectionTable: Sendable {
    public var name: String
    public var columns: String
    public var indexes: [String]

    /// `indexes` are column lists: `"(account_id, last_position)"`.
    public init(name: String, columns: String, indexes: [String] = []) {
        self.name = name
        self.columns = columns
        self.indexes = indexes
    }
}

/// Where a generation of a projection's tables lives. Readers use the views named after the tables, which
/// point at the live generation; a rebuild fills the next generation, then swaps the views.
public struct ProjectionTables: Sendable, Hashable {
    public let generation: Int

    public init(generation: Int) { self.generation = generation }

    /// The physical table of this generation: `event_catalog_g3`.
    public func physical(_ table: String) -> String { "\(table)_g\(generation)" }
}
