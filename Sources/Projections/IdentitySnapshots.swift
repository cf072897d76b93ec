public import Core
import Foundation
public import Logging
public import PostgresNIO

/// Snapshots of the identity view in `identity_view_snapshots` (migration 0012): a start reads the newest
/// one and folds only the log after it, instead of the whole log.
///
/// A snapshot is trusted only by the build that wrote it (`build`: `ExecutableBuild`, a hash of the
/// executable). Another build may fold the same events differently (a fixed bug, a new field), so it folds
/// the log again and the first snapshot it writes is its own. One that does not decode is passed over too.
public struct IdentitySnapshots: Sendable {
    let client: PostgresClient
    /// Names the code that folds: snapshots of any other name are never read.
    public let build: String
    /// Events folded since the last snapshot before a caught-up view writes another.
    public var every: Int64 = 100_000
    let logger: Logger

    public init(client: PostgresClient, build: String, logger: Logger) {
        self.client = client
        self.build = build
        self.logger = logger
    }

    /// The newest snapshot of this build, or nil when there is none or it does not decode.
    public func latest() async throws -> IdentityState? {
        let rows = try await client.checkedQuery(
            "SELECT position, state FROM identity_view_snapshots WHERE build = \(build) ORDER BY position DESC LIMIT 1", logger: logger
        ) { try await $0.collect() }
        guard let row = rows.first else { return nil }
        let (position, bytes) = try row.decode((Int64, ByteBuffer).self)
        do {
            let state = try JSONDecoder().decode(IdentityState.self, from: Data(buffer: bytes))
            guard state.position == position else { throw SnapshotMismatch(position: position, folded: state.position) }
            return state
        } catch {
            logger.warning("identity view snapshot not read; folding the log", metadata: ["position": "\(position)", "error": "\(error)"])
            return nil
        }
    }

    /// Stores `state` (folded up to its position), then drops this build's older snapshots and other builds'
    /// of more than a week ago (a build still running beside this one in a rolling deploy keeps its own).
    public func save(_ state: IdentityState) async throws {
        let bytes = ByteBuffer(data: try JSONEncoder().encode(state))
        try await client.withConnection { connection in
            try await connection.checkedQuery("""
                INSERT INTO identity_view_snapshots (build, position, state) VALUES (\(build), \(state.position), \(bytes))
                ON CONFLICT DO NOTHING
                """, logger: logger)
            try await connection.checkedQuery("""
                DELETE FROM identity_view_snapshots
                 WHERE (build = \(build) AND position < \(state.position))
                    OR (build <> \(build) AND taken_at < clock_timestamp() - interval '7 days')
                """, logger: logger)
        }
    }

    struct SnapshotMismatch: Error, CustomStringConvertible {
        var position: Int64, folded: Int64
        var description: String { "the snapshot at position \(position) holds a state folded to \(folded)" }
    }
}
