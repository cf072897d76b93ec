public import Core
import Foundation
import Logging
public import PostgresNIO

/// A database of its own for one test, cloned from a migrated template, dropped afterwards.
public struct TestDatabase: Sendable {
    public let url: DatabaseURL
    public let client: PostgresClient

    /// Lends a raw connection outside the pool (a writer in a separate process would have its own),
    /// closed afterwards on every path.
    public func withRawConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await Self.withRawConnection(to: url, body)
    }

    /// The same, to any database of the test server.
    public static func withRawConnection<T>(to url: DatabaseURL, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await url.withConnection(logger: TestServers.logger, body)
    }

    /// Rows in `table`: how tests prove that refused input changed nothing.
    public func count(_ table: String) async throws -> Int {
        try await client.checkedQuery(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: TestServers.logger) { rows in
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }
    }

    /// Runs `body` with a fresh database and a running pool, then drops the database.
    public static func with<T: Sendable>(_ body: @Sendable (TestDatabase) async throws -> T) async throws -> T {
        let server = try TestServers.database()
        let template = try await TemplateDatabase.shared.name(on: server)
        let name = "test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await Admin.run("CREATE DATABASE \(name) TEMPLATE \(template)", on: server)
        let url = server.database(name)
        let client = PostgresClient(configuration: try url.clientConfiguration(maxConnections: 30), backgroundLogger: TestServers.logger)
        let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            do { return .success(try await body(TestDatabase(url: url, client: client))) } catch { return .failure(error) }
        }
        try await Admin.run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", on: server)
        return try result.get()
    }
}

/// Statements that run outside any test database (CREATE/DROP DATABASE).
enum Admin {
    static func run(_ sql: String, on server: DatabaseURL) async throws {
        try await server.withConnection(logger: TestServers.logger) { connection in
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestServers.logger)
        }
    }
}

/// One migrated template per set of migrations, made once per test process.
actor TemplateDatabase {
    static let shared = TemplateDatabase()
    private var made: Task<String, any Error>?

    func name(on server: DatabaseURL) async throws -> String {
        if let made { return try await made.value }
        let task = Task<String, any Error> {
            let migrator = try Migrator(directory: TestServers.migrationsDirectory)
            let fingerprint = migrator.migrations.map { "\($0.version):\($0.checksum)" }.joined(separator: ",")
            let name = "template_\(Migrator.fnv1a(fingerprint))"
            do {
                try await Admin.run("CREATE DATABASE \(name)", on: server)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P04" {
                // Made by an earlier run against the same server: migrating again is a no-op.
            }
            try await migrator.migrate(server.database(name), logger: TestServers.logger)
            return name
        }
        made = task
        return try await task.value
    }
}
