public import Foundation
public import Logging
import PostgresNIO

/// One numbered SQL file of `schemas/sql/` (`0001_event_log.sql`).
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String
    /// FNV-1a of the file, recorded when applied: an edited, already-applied migration is refused.
    public var checksum: String
}

public struct MigrationError: Error, CustomStringConvertible {
    public var description: String
}

/// Applies the migrations the database lacks, each once, in order; safe to run twice and from two
/// processes at once (they serialize on an advisory lock held by a connection of their own).
public struct Migrator: Sendable {
    public let migrations: [Migration]
    static let lockKey: Int64 = 0x63_61_6E_6F_70_79  // "canopy"

    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    public init(directory: URL) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for file in files {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]),
                  case let name = String(stem[stem.index(after: underscore)...]), !name.isEmpty,
                  name.utf8.allSatisfy(ASCII.isLowerAlphanumericOrUnderscore) else {
                throw MigrationError(description: "\(file): a migration is named NNNN_lowercase_name.sql")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: name, sql: sql, checksum: Self.fnv1a(sql)))
        }
        let versions = migrations.map(\.version)
        guard Set(versions).count == versions.count else {
            throw MigrationError(description: "two migrations in \(directory.path) share a number")
        }
        self.init(migrations: migrations)
    }

    /// `$CANOPY_SCHEMAS_DIR/sql`, else the nearest `schemas/sql` above the working folder or the executable.
    public static func locateDirectory() throws -> URL {
        let fileManager = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["CANOPY_SCHEMAS_DIR"] {
            return URL(fileURLWithPath: explicit).appendingPathComponent("sql")
        }
        let starts = [URL(fileURLWithPath: fileManager.currentDirectoryPath),
                      URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()]
        for start in starts {
            var folder = start.standardizedFileURL
            while folder.path != "/" {
                let candidate = folder.appendingPathComponent("schemas/sql")
                if fileManager.fileExists(atPath: candidate.path) { return candidate }
                folder.deleteLastPathComponent()
            }
        }
        throw MigrationError(description: "no schemas/sql folder found; set CANOPY_SCHEMAS_DIR")
    }

    /// Applies what is missing and returns it.
    @discardableResult
    public func migrate(_ url: DatabaseURL, logger: Logger) async throws -> [Migration] {
        // A connection of its own: closing it releases the session advisory lock on every path.
        try await url.withConnection(logger: logger) { connection in
            try await migrate(on: connection, logger: logger)
        }
    }

    private func migrate(on connection: PostgresConnection, logger: Logger) async throws -> [Migration] {
        try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var recorded: [Int: String] = [:]
        for try await (version, checksum) in try await connection.query(
            "SELECT version, checksum FROM schema_migrations", logger: logger
        ).decode((Int, String).self) {
            recorded[version] = checksum
        }
        let known = Set(migrations.map(\.version))
        if let newer = recorded.keys.filter({ !known.contains($0) }).max() {
            throw MigrationError(description: "the database has migration \(newer), which this build does not know: it is newer than this build")
        }
        var appliedNow: [Migration] = []
        for migration in migrations {
            if let checksum = recorded[migration.version] {
                guard checksum == migration.checksum else {
                    throw MigrationError(description: "migration \(migration.version)_\(migration.name) was edited after it was applied")
                }
                continue
            }
            // The file and its record commit together, or neither does.
            try await connection.withTransaction(logger: logger) { connection in
                for statement in SQLScript.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("""
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """, logger: logger)
            }
            logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            appliedNow.append(migration)
        }
        try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
        return appliedNow
    }

    /// The highest migration this build knows; `/ready` compares it with the database's.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    package static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }
}
