public import Logging
public import PostgresNIO

/// The connection went away (the server restarted, the network broke): try again later.
public struct DatabaseConnectionClosed: Error, CustomStringConvertible {
    public var description: String { "the database connection is closed" }
}

extension PostgresConnection {
    /// A query that refuses to start on a closed connection. PostgresNIO 1.33 writes a query to a closed
    /// channel, drops the write's failure and waits forever for the answer; a connection held across
    /// statements (a transaction, a lock) meets that after a server restart. Every query on such a
    /// connection goes through here, including those of consumers and projections.
    @discardableResult
    public func checkedQuery(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await whileOpen { try await $0.query(query, logger: logger) }
    }

    /// A prepared statement, likewise refused on a closed connection.
    public func checkedExecute<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Statement.Row> {
        try await whileOpen { try await $0.execute(statement, logger: logger) }
    }

    /// Runs `start` (a statement's write) only if the connection is open, on the connection's own event
    /// loop: there the check and the write happen between two of the loop's events, so a close cannot come
    /// between them. Checked from another thread, the server's close of a pooled connection could land in
    /// that gap, and the statement then waited forever (seen once in the server-restart suite: every writer
    /// stalled behind one append batch).
    private func whileOpen<T>(_ start: (PostgresConnection) async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(OneLoopTaskExecutor(eventLoop)) {
            guard !isClosed else { throw DatabaseConnectionClosed() }
            return try await start(self)
        }
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws. Unlike PostgresNIO's
    /// `withTransaction`, the body's own error comes out as it was thrown (callers tell a handler's failure
    /// from the database's by it).
    public func inTransaction<T>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await checkedQuery("BEGIN", logger: logger)
        let result: T
        do {
            result = try await body(self)
        } catch {
            _ = try? await checkedQuery("ROLLBACK", logger: logger)
            throw error
        }
        try await checkedQuery("COMMIT", logger: logger)
        return result
    }
}

extension PostgresClient {
    /// A query on a pooled connection, its rows read by `read` while the connection is lent. The pool can
    /// lend a connection the server closed a moment ago; this refuses it rather than wait forever.
    public func checkedQuery<T>(_ query: PostgresQuery, logger: Logger, _ read: (PostgresRowSequence) async throws -> T) async throws -> T {
        try await withConnection { connection in try await read(connection.checkedQuery(query, logger: logger)) }
    }
}

/// Whether an error means the database itself failed (the connection broke, the pool closed, the server is
/// shutting down or out of resources), as opposed to a statement the server refused: worth trying again
/// later, never a reason to give up on the work.
public func isDatabaseUnavailable(_ error: any Error) -> Bool {
    if error is DatabaseConnectionClosed { return true }
    guard let error = error as? PSQLError else { return false }
    guard let state = error.serverInfo?[.sqlState] else { return true }
    // 08 connection exception, 57 operator intervention (admin shutdown, crash recovery), 53 resources.
    return ["08", "57", "53"].contains(String(state.prefix(2)))
}
