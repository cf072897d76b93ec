import CanopyTesting
@testable import Core
import Foundation
import PostgresNIO
import Testing

@Suite struct MigratorTests {
    let server: DatabaseURL
    init() throws { server = try TestServers.database() }

    /// A blank database of its own (not from the migrated template).
    func withBlankDatabase(_ body: @escaping @Sendable (DatabaseURL) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            let name = "blank_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
            try await database.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: TestServers.logger)
            do {
                try await body(server.database(name))
            } catch {
                _ = try? await database.client.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: TestServers.logger)
                throw error
            }
            try await database.client.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: TestServers.logger)
        }
    }

    @Test func migratingTwiceAppliesEachMigrationOnce() async throws {
        try await withBlankDatabase { url in
            let migrator = try Migrator(directory: TestServers.migrationsDirectory)
            #expect(try await migrator.migrate(url, logger: TestServers.logger).count == migrator.migrations.count)
            #expect(try await migrator.migrate(url, logger: TestServers.logger).isEmpty)
        }
    }

    @Test func twoProcessesMigratingAtOnceApplyEachMigrationOnce() async throws {
        try await withBlankDatabase { url in
            let migrator = try Migrator(directory: TestServers.migrationsDirectory)
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { try await migrator.migrate(url, logger: TestServers.logger).count } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(applied.sorted() == [0, 0, 0, migrator.migrations.count])
        }
    }

    @Test func anEditedMigrationIsRefused() async throws {
        try await withBlankDatabase { url in
            let original = try Migrator(directory: TestServers.migrationsDirectory)
            try await original.migrate(url, logger: TestServers.logger)
            var edited = original.migrations
            edited[0].sql += "\n-- edited"
            edited[0].checksum = Migrator.fnv1a(edited[0].sql)
            await #expect(throws: MigrationError.self) { try await Migrator(migrations: edited).migrate(url, logger: TestServers.logger) }
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await withBlankDatabase { url in
            let broken = Migrator(migrations: [Migration(version: 1, name: "broken", sql: "CREATE TABLE half (x int); SELECT no_such_function();", checksum: "x")])
            await #expect(throws: (any Error).self) { try await broken.migrate(url, logger: TestServers.logger) }
            let client = PostgresClient(configuration: try url.clientConfiguration(), backgroundLogger: TestServers.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let rows = try await client.query("SELECT to_regclass('half')::text, (SELECT count(*) FROM schema_migrations)", logger: TestServers.logger)
                for try await (table, recorded) in rows.decode((String?, Int).self) {
                    #expect(table == nil)
                    #expect(recorded == 0)
                }
            }
        }
    }
}
