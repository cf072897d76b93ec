import PostgresNIO

/// A one-line account of an error for logs and the terminal. For PostgreSQL errors it gives the server's
/// message and SQLSTATE, never the query or its bound values (they may hold secrets).
public func describe(_ error: any Error) -> String {
    if let error = error as? PSQLError {
        if let info = error.serverInfo {
            return "postgres: \(info[.message] ?? "error") (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        return "postgres: \(error.code)"
    }
    return String(describing: error)
}
