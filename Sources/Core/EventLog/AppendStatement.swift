import Foundation
package import PostgresNIO

/// The one way events enter the log: a call of the `append_events` SQL function with a batch of appends.
/// The group committer uses it, and so do tests that need to write from many raw connections.
package enum AppendStatement {
    /// The statement for `requests`, which must be validated and must not share an idempotency key within
    /// one account. Call it once per transaction: its lock order holds only within one call.
    package static func query(_ requests: [AppendRequest]) -> PostgresQuery {
        var streams: [String] = [], accounts: [UUID] = [], expected: [Int64] = [], keys: [String] = []
        var counts: [Int32] = [], ids: [UUID] = [], types: [String] = [], versions: [Int32] = []
        var data: [String] = [], metadata: [String] = []
        let metadataEncoder = WireJSON.encoder()
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
                // Encoding a struct of optionals and UUIDs cannot fail; "{}" keeps the row valid if it ever did.
                metadata.append((try? metadataEncoder.encode(event.metadata)).map { String(decoding: $0, as: UTF8.self) } ?? "{}")
            }
        }
        return """
            SELECT append_index, outcome, first_position, last_position, stream_version, current_version
            FROM append_events(\(streams), \(accounts), \(expected), \(keys), \(counts), \(ids), \(types), \
            \(versions), \(data), \(metadata))
            """
    }

    /// Runs the statement and gives each request its own outcome, in request order.
    package static func run(
        _ requests: [AppendRequest], on connection: PostgresConnection, logger: Logger
    ) async throws -> [Result<AppendResult, EventLogError>] {
        let rows = try await connection.query(query(requests), logger: logger)
        return try await outcomes(of: rows, for: requests)
    }

    package static func outcomes(
        of rows: PostgresRowSequence, for requests: [AppendRequest]
    ) async throws -> [Result<AppendResult, EventLogError>] {
        var results = [Result<AppendResult, EventLogError>?](repeating: nil, count: requests.count)
        for try await (index, outcome, first, last, version, current) in rows.decode(
            (Int32, String, Int64?, Int64?, Int64?, Int64?).self
        ) {
            let request = requests[Int(index) - 1]
            results[Int(index) - 1] = result(outcome, request, first, last, version, current)
        }
        return results.map { $0 ?? .failure(EventLogError(.storageFailure, "append_events returned no outcome")) }
    }

    private static func result(
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
