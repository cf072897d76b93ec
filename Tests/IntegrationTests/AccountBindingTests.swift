import CanopyTesting
import Core
import PostgresNIO
import Testing

/// Invariant 2 for everything the migrations create: each table carries `account_id uuid NOT NULL`, or is
/// named below as the log's machinery, with why it belongs to no account. A new table fails here until it
/// is bound to an account or someone writes down why it cannot be. (Projection tables: `PipelineTests`.)
@Suite struct AccountBindingTests {
    /// Tables that hold no account's data: counters and positions of the machinery itself.
    static let machinery: [String: String] = [
        "schema_migrations": "which migrations ran, and their checksums",
        "event_log_head": "the log's last position: one row for the whole log",
        "relay_checkpoints": "how far each relay has published the log",
        "projections": "each projection's generation and position in the log",
        "rate_limit_hits": """
            attempt counters per hashed address, email or phone: an attempt from an address, or on an email \
            nobody owns, belongs to no account; each row expires with its window and is never a source of truth
            """,
        "identity_view_snapshots": """
            a cache of the identity view folded from the log, which keeps every event of it bound to its \
            account; a snapshot spans the whole tree, and removing it loses only start time
            """,
    ]

    @Test func everyTableIsBoundToAnAccountOrIsNamedMachinery() async throws {
        try await TestDatabase.with { database in
            let tables = try await database.client.checkedQuery("""
                SELECT t.table_name,
                       EXISTS (SELECT 1 FROM information_schema.columns c
                                WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
                                  AND c.column_name = 'account_id' AND c.data_type = 'uuid' AND c.is_nullable = 'NO')
                  FROM information_schema.tables t
                 WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
                """, logger: TestServers.logger) { rows in
                var bound: [String: Bool] = [:]
                for try await (name, hasAccount) in rows.decode((String, Bool).self) { bound[name] = hasAccount }
                return bound
            }
            #expect(tables.count > Self.machinery.count, "the migrations created too few tables: \(tables.keys.sorted())")
            for (table, bound) in tables.sorted(by: { $0.key < $1.key }) where Self.machinery[table] == nil {
                #expect(bound, "\(table) has no account_id uuid NOT NULL and is not named as machinery")
            }
            // The list cannot rot: each named table exists, and one that gained an account binding leaves it.
            for table in Self.machinery.keys.sorted() {
                #expect(tables[table] == false, "\(table) is named as machinery but \(tables[table] == nil ? "does not exist" : "is bound to an account")")
            }
        }
    }
}
