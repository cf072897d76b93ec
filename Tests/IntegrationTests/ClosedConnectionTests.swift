import CanopyTesting
import Core
import Foundation
import PostgresNIO
import Testing

/// A connection the server closed between two statements (a restart, an administrator) must fail the next
/// statement, not wait forever (PostgresNIO 1.33 does, for a plain `query`).
@Suite struct ClosedConnectionTests {
    @Test(.timeLimit(.minutes(1)))
    func aStatementAfterTheServerClosedTheConnectionFailsAsUnavailable() async throws {
        try await TestDatabase.with { database in
            let error = await #expect(throws: DatabaseConnectionClosed.self) {
                try await database.client.withConnection { connection in
                    try await connection.inTransaction(logger: TestServers.logger) { connection in
                        var pid: Int32 = 0
                        for try await value in try await connection.checkedQuery("SELECT pg_backend_pid()", logger: TestServers.logger).decode(Int32.self) {
                            pid = value
                        }
                        try await database.client.query("SELECT pg_terminate_backend(\(pid))", logger: TestServers.logger)
                        // Until the close has reached us.
                        while !connection.isClosed { try await Task.sleep(for: .milliseconds(10)) }
                        try await connection.checkedQuery("SELECT 1", logger: TestServers.logger)
                    }
                }
            }
            #expect(error.map(isDatabaseUnavailable) == true)
        }
    }
}
