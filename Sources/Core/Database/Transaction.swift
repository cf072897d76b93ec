public import Logging
public import PostgresNIO

extension PostgresConnection {
    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws. Unlike PostgresNIO's
    /// `withTransaction`, the body's own error comes out as it was thrown (callers tell a handler's failure
    /// from the database's by it).
    public func inTransaction<T>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await query("BEGIN", logger: logger)
        let result: T
        do {
            result = try await body(self)
        } catch {
            _ = try? await query("ROLLBACK", logger: logger)
            throw error
        }
        try await query("COMMIT", logger: logger)
        return result
    }
}

/// Whether an error means the database itself failed (the connection broke, the pool closed, the server is
/// shutting down or out of resources), as opposed to a statement the server refused: worth trying again
/// later, never a reason to give up on the work.
public func isDatabaseUnavailable(_ error: any Error) -> Bool {
    guard let error = error as? PSQLError else { return false }
    guard let state = error.serverInfo?[.sqlState] else { return true }
    // 08 connection exception, 57 operator intervention (admin shutdown, crash recovery), 53 resources.
    return ["08", "57", "53"].contains(String(state.prefix(2)))
}
