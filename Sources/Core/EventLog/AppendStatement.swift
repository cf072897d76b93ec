import Foundation
package import PostgresNIO

/// The one way events enter the log: a call of the SQL function `append_events` with a batch of appends,
/// as a prepared statement (each connection parses it once). The group committer makes it through
/// `Committed`, which commits before answering; tests that write from many raw connections, in transactions
/// of their own, call it directly.
package struct AppendStatement: PostgresPreparedStatement {
    package static let sql = """
        SELECT append_index, outcome, first_position, last_position, stream_version, current_version
        FROM append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        """
    package typealias Row = (Int32, String, Int64?, Int64?, Int64?, Int64?)

    private let streams: [String], accounts: [UUID], expected: [Int64], keys: [String], counts: [Int32]
    private let ids: [UUID], types: [String], versions: [Int32], data: [String], metadata: [String]

    /// `requests` must be validated and must not share an idempotency key within one account. Run it once
    /// per transaction: its lock order holds only within one call.
    package init(_ requests: [AppendRequest]) {
        var streams: [String] = [], accounts: [UUID] = [], expected: [Int64] = [], keys: [String] = [], counts: [Int32] = []
        var ids: [UUID] = [], types: [String] = [], versions: [Int32] = [], data: [String] = [], metadata: [String] = []
        for request in requests {
            streams.append(request.stream.rawValue)
            accounts.append(request.accountID)
            expected.append(request.expectedVersion.wireValue)
            keys.append(request.idempotencyKey ?? "")
            counts.append(Int32(request.events.count))
            for event in request.events {
                ids.append(event.id)
                types.append(event.type)
                versions.append(event.schemaVersion)
                data.append(event.data)
                metadata.append(event.metadata.jsonText)
            }
        }
        (self.streams, self.accounts, self.expected, self.keys, self.counts) = (streams, accounts, expected, keys, counts)
        (self.ids, self.types, self.versions, self.data, self.metadata) = (ids, types, versions, data, metadata)
    }

    package func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 10)
        bindings.append(streams)
        bindings.append(accounts)
        bindings.append(expected)
        bindings.append(keys)
        bindings.append(counts)
        bindings.append(ids)
        bindings.append(types)
        bindings.append(versions)
        bindings.append(data)
        bindings.append(metadata)
        return bindings
    }

    package func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }

    /// The same batch through `append_events_committed`, which commits (or, all or none, rolls back) before
    /// it answers: one round trip, and the outcomes only once the commit has succeeded. Call it outside any
    /// transaction.
    package struct Committed: PostgresPreparedStatement {
        package static let sql = """
            CALL append_events_committed($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL, NULL, NULL, NULL)
            """
        package typealias Row = ([String], [Int64], [Int64], [Int64], [Int64])

        let batch: AppendStatement
        let allOrNone: Bool

        package init(_ requests: [AppendRequest], allOrNone: Bool) {
            self.batch = AppendStatement(requests)
            self.allOrNone = allOrNone
        }

        package func makeBindings() throws -> PostgresBindings {
            var bindings = try batch.makeBindings()
            bindings.append(allOrNone)
            return bindings
        }

        package func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Row.self)
        }

        package static func run(
            _ requests: [AppendRequest], allOrNone: Bool, on connection: PostgresConnection, logger: Logger
        ) async throws -> [Result<AppendResult, EventLogError>] {
            var results = [Result<AppendResult, EventLogError>?](repeating: nil, count: requests.count)
            for try await (outcomes, first, last, version, current) in try await connection.checkedExecute(Committed(requests, allOrNone: allOrNone), logger: logger) {
                func some(_ value: Int64) -> Int64? { value < 0 ? nil : value }
                for index in outcomes.indices where index < requests.count {
                    results[index] = result(outcomes[index], requests[index], some(first[index]), some(last[index]), some(version[index]), some(current[index]))
                }
            }
            return results.map { $0 ?? .failure(EventLogError(.storageFailure, "append_events_committed returned no outcome")) }
        }
    }

    /// Runs the batch on `connection` and gives each request its own outcome, in request order.
    package static func run(
        _ requests: [AppendRequest], on connection: PostgresConnection, logger: Logger
    ) async throws -> [Result<AppendResult, EventLogError>] {
        var results = [Result<AppendResult, EventLogError>?](repeating: nil, count: requests.count)
        for try await (index, outcome, first, last, version, current) in try await connection.checkedExecute(AppendStatement(requests), logger: logger) {
            let request = requests[Int(index) - 1]
            results[Int(index) - 1] = result(outcome, request, first, last, version, current)
        }
        return results.map { $0 ?? .failure(EventLogError(.storageFailure, "append_events returned no outcome")) }
    }

    fileprivate static func result(
        _ outcome: String, _ request: AppendRequest, _ first: Int64?, _ last: Int64?, _ version: Int64?, _ current: Int64?
    ) -> Result<AppendResult, EventLogError> {
        let stream = request.stream.rawValue
        switch outcome {
        case "appended", "duplicate":
            guard let first, let last, let version else {
                return .failure(EventLogError(.storageFailure, "append_events returned no positions", stream: stream))
            }
            return .success(AppendResult(stream: request.stream, firstPosition: first, lastPosition: last,
                                         streamVersion: version, isReplay: outcome == "duplicate"))
        case "version_conflict":
            return .failure(EventLogError(.versionConflict, "expected version \(request.expectedVersion) but the stream is at \(current ?? 0)",
                                          stream: stream, currentVersion: current))
        case "stream_account_mismatch":
            return .failure(EventLogError(.streamAccountMismatch, "the stream belongs to another account", stream: stream))
        case "idempotency_key_reused":
            return .failure(EventLogError(.idempotencyKeyReused, "the idempotency key was used for a different request", stream: stream))
        default:
            return .failure(EventLogError(.storageFailure, "append_events returned the unknown outcome \(outcome)", stream: stream))
        }
    }
}
