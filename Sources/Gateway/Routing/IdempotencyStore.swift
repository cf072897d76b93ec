import Core
import struct Foundation.UUID
public import Logging
public import PostgresNIO

/// Where `Idempotency-Key`s are claimed and replies kept (table `request_replies`; the log's own `idempotency_keys` work per append, below this). A key is scoped to its
/// caller and route; it is kept a day; a claim left unfinished for a minute (a crashed gateway) may be
/// taken over.
public struct IdempotencyStore: Sendable {
    enum Claim: Equatable {
        /// First time: run the request, then `complete` or `release`.
        case fresh
        case replay(status: Int, body: String)
        /// The same key came with a different request.
        case mismatch
        /// The first request with this key is still running.
        case inProgress
    }

    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    func claim(account: UUID, scope: String, key: String, requestHash: String) async throws -> Claim {
        try await client.withConnection { connection in
            _ = try await connection.checkedQuery("""
                DELETE FROM request_replies WHERE scope = \(scope) AND key = \(key)
                  AND (created_at < now() - interval '24 hours' OR (status IS NULL AND created_at < now() - interval '60 seconds'))
                """, logger: logger).collect()
            let inserted = try await connection.checkedQuery("""
                INSERT INTO request_replies (account_id, scope, key, request_hash) VALUES (\(account), \(scope), \(key), \(requestHash))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger).collect()
            if !inserted.isEmpty { return .fresh }
            let rows = try await connection.checkedQuery(
                "SELECT request_hash, status, body FROM request_replies WHERE scope = \(scope) AND key = \(key)", logger: logger
            ).collect()
            // Gone between the two statements (released): the caller may simply try again.
            guard let row = rows.first else { return .inProgress }
            let (hash, status, body) = try row.decode((String, Int?, String?).self)
            guard hash == requestHash else { return .mismatch }
            guard let status, let body else { return .inProgress }
            return .replay(status: status, body: body)
        }
    }

    func complete(scope: String, key: String, status: Int, body: String) async throws {
        _ = try await client.withConnection { connection in
            try await connection.checkedQuery(
                "UPDATE request_replies SET status = \(status), body = \(body) WHERE scope = \(scope) AND key = \(key)", logger: logger
            ).collect()
        }
    }

    /// The request failed without effect: the key is free for a corrected retry.
    func release(scope: String, key: String) async throws {
        _ = try await client.withConnection { connection in
            try await connection.checkedQuery("DELETE FROM request_replies WHERE scope = \(scope) AND key = \(key) AND status IS NULL", logger: logger).collect()
        }
    }
}
