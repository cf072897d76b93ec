import Core
import Logging
import PostgresNIO

/// The `projections` table and the DDL of projection tables: the one place that names them in SQL.
enum ProjectionRegistry {
    struct Entry {
        var generation: Int
        var checkpoint: Int64
        var rebuiltThrough: Int64
    }

    struct InvalidName: Error, CustomStringConvertible {
        var description: String
    }

    struct NotBuilt: Error, CustomStringConvertible {
        var description: String
    }

    static func validate(_ projection: any Projection) throws {
        let valid = { (name: String) -> Bool in
            let bytes = Array(name.utf8)
            return (1...40).contains(bytes.count) && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0])
                && bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
        }
        guard valid(projection.name) else { throw InvalidName(description: "a projection name is 1-40 of a-z, 0-9 and _: \(projection.name)") }
        for table in projection.tables where !valid(table.name) {
            throw InvalidName(description: "a projection table name is 1-40 of a-z, 0-9 and _: \(table.name)")
        }
    }

    /// The projection's row, locked until the transaction ends: live applies and a rebuild's swap take
    /// turns on it.
    static func lock(_ name: String, on connection: PostgresConnection, logger: Logger) async throws -> Entry? {
        try await first(connection.checkedQuery(
            "SELECT generation, checkpoint, rebuilt_through FROM projections WHERE name = \(name) FOR UPDATE", logger: logger
        ))
    }

    static func entry(_ name: String, on client: PostgresClient, logger: Logger) async throws -> Entry? {
        try await client.checkedQuery("SELECT generation, checkpoint, rebuilt_through FROM projections WHERE name = \(name)", logger: logger, first)
    }

    private static func first(_ rows: PostgresRowSequence) async throws -> Entry? {
        for try await (generation, checkpoint, rebuiltThrough) in rows.decode((Int32, Int64, Int64).self) {
            return Entry(generation: Int(generation), checkpoint: checkpoint, rebuiltThrough: rebuiltThrough)
        }
        return nil
    }

    static func createTables(_ projection: any Projection, _ tables: ProjectionTables, on connection: PostgresConnection, logger: Logger) async throws {
        for table in projection.tables {
            let physical = tables.physical(table.name)
            try await connection.checkedQuery(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(physical)"), logger: logger)
            try await connection.checkedQuery(PostgresQuery(unsafeSQL: "CREATE TABLE \(physical) (account_id uuid NOT NULL, \(table.columns))"), logger: logger)
            for (index, columns) in table.indexes.enumerated() {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "CREATE INDEX \(physical)_i\(index) ON \(physical) \(columns)"), logger: logger)
            }
        }
    }

    /// Points the views at `tables`, records the generation and drops the tables of `previous`.
    static func swap(
        _ projection: any Projection, to tables: ProjectionTables, previous: Int?, through position: Int64,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        for table in projection.tables {
            try await connection.checkedQuery(PostgresQuery(unsafeSQL: "DROP VIEW IF EXISTS \(table.name)"), logger: logger)
            try await connection.checkedQuery(PostgresQuery(unsafeSQL: "CREATE VIEW \(table.name) AS SELECT * FROM \(tables.physical(table.name))"), logger: logger)
        }
        try await connection.checkedQuery("""
            INSERT INTO projections (name, generation, checkpoint, rebuilt_through, rebuilt_at)
            VALUES (\(projection.name), \(Int32(tables.generation)), \(position), \(position), now())
            ON CONFLICT (name) DO UPDATE SET generation = excluded.generation, checkpoint = greatest(projections.checkpoint, excluded.checkpoint),
                rebuilt_through = excluded.rebuilt_through, rebuilt_at = now(), updated_at = now()
            """, logger: logger)
        // Inbox rows up to the rebuild's position tell nothing the position does not.
        try await connection.checkedQuery(
            "DELETE FROM consumer_inbox WHERE consumer = \(projection.consumerName) AND position <= \(position)", logger: logger
        )
        if let previous {
            for table in projection.tables {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(ProjectionTables(generation: previous).physical(table.name))"), logger: logger)
            }
        }
    }

    /// Moves the checkpoint forward (never back) and gives the row, locked until the transaction ends.
    static func advanceCheckpoint(_ name: String, to position: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Entry? {
        try await first(connection.checkedQuery("""
            UPDATE projections SET checkpoint = greatest(checkpoint, \(position)), updated_at = now() WHERE name = \(name)
            RETURNING generation, checkpoint, rebuilt_through
            """, logger: logger))
    }
}
