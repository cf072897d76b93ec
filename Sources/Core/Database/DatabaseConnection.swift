public import Logging
import NIOPosix
public import PostgresNIO

extension DatabaseURL {
    /// Lends a connection of its own (outside any pool) for `body`, closed afterwards on every path: for
    /// work that must not share a pooled connection (session advisory locks, CREATE DATABASE, a writer
    /// that stands for a separate process).
    public func withConnection<T>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try connectionConfiguration(),
            id: Int.random(in: 1...Int.max), logger: logger
        )
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
