import Foundation
public import Logging
public import PostgresNIO
public import ServiceLifecycle

/// The event log: append (grouped into shared commits), read a stream, read everything in order, tail.
///
/// A `Service`: appends flow while `run()` runs; on graceful shutdown it stops taking appends, writes what
/// is queued, then returns.
public final class EventStore: Service, Sendable {
    public struct Configuration: Sendable {
        /// Batches written at once; each holds one pooled connection while it runs. One: batches serialize
        /// on the log head anyway, and with one in flight every caller that was answered is back in time for
        /// the next batch, which is then as large as it can be. Measured at 64 concurrent appenders
        /// (docs/performance-log.md): 1 → 15.0k ev/s, 2 → 12.7k, 3 → 9.2k. Other processes' batches still
        /// overlap ours.
        public var maxInFlightBatches = 1
        public var maxBatchEvents = 2_000
        /// How often a caught-up tail looks again when no NOTIFY arrives.
        public var pollInterval: Duration = .milliseconds(500)
        public var limits = EventLogLimits()
        /// Listen for other processes' appends while a tail or a reader waits for new events (one pooled
        /// connection held meanwhile). Off, waiting readers rely on polling alone.
        public var listensForAppends = true
        /// How long to keep listening after the last waiter is gone: tails come back to wait often.
        public var listenLinger: Duration = .seconds(10)

        public init() {}
    }

    public let configuration: Configuration
    let client: PostgresClient
    let logger: Logger
    package let watermark = LogWatermark()
    private let committer: GroupCommitter

    static let notificationChannel = "canopy_events"

    public init(client: PostgresClient, configuration: Configuration = .init(), logger: Logger) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        let watermark = self.watermark
        self.committer = GroupCommitter(
            client: client, maxInFlight: configuration.maxInFlightBatches, maxBatchEvents: configuration.maxBatchEvents,
            logger: logger, onAppended: { watermark.advance(to: $0) }
        )
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if configuration.listensForAppends {
                    group.addTask { await cancelWhenGracefulShutdown { await self.listenForAppends() } }
                }
                await committer.run()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.committer.shutdown()
        }
    }

    // MARK: Writing

    /// Appends one request. Bad input is refused before anything is written; a version conflict, a reused
    /// idempotency key or a stream of another account is refused by the log; all as `EventLogError`.
    ///
    /// `whenAppended` runs when the append is committed (not for an idempotent replay), in log order among
    /// this process's appends and before anyone here can see the log move past it: a state folded from the
    /// log in this process folds its own writes there instead of reading them back.
    public func append(_ request: AppendRequest, whenAppended: (@Sendable (AppendResult) -> Void)? = nil) async throws -> AppendResult {
        try request.validate(configuration.limits)
        return try await committer.append(request, whenAppended: whenAppended)
    }

    /// Appends all of `requests` or none of them, as one command that writes several streams must: each keeps
    /// its own expected version, and the first refusal among them is thrown with nothing written. The
    /// appends take no idempotency keys (a replay of some and not others would be neither all nor none).
    /// `whenAppended` runs as for `append`, with every result.
    public func appendAll(_ requests: [AppendRequest], whenAppended: (@Sendable ([AppendResult]) -> Void)? = nil) async throws -> [AppendResult] {
        for request in requests {
            try request.validate(configuration.limits)
            if requests.count > 1, request.idempotencyKey != nil {
                throw EventLogError(.invalidIdempotencyKey, "appends written all or none take no idempotency keys", stream: request.stream.rawValue)
            }
        }
        guard !requests.isEmpty else { return [] }
        return try await committer.appendAll(requests, whenAppended: whenAppended)
    }

    // MARK: Reading

    /// The position of the last committed event (0 for an empty log).
    public func headPosition() async throws -> Int64 {
        try await client.checkedQuery("SELECT position FROM event_log_head", logger: logger) { rows in
            for try await position in rows.decode(Int64.self) { return position }
            return 0
        }
    }

    /// Events after `position`, in log order.
    public func readAll(after position: Int64, limit: Int = 1_000) async throws -> [RecordedEvent] {
        try await client.checkedQuery("""
            SELECT \(unescaped: RecordedEventRows.columns) FROM events
            WHERE position > \(position) ORDER BY position LIMIT \(Int64(limit))
            """, logger: logger, RecordedEventRows.collect)
    }

    /// Events of `types` after `position`, in log order, at most `limit`, each with the top-level field that
    /// `without` names for its type left out of its data; and `through`, the position the log had reached in
    /// the same snapshot. Every event up to `through` was committed and considered, so a reader that got
    /// fewer than `limit` has seen everything of its types up to there and can move past the other events
    /// (allocation at commit, invariant 4: a snapshot that sees the head sees every event below it).
    public func read(
        types: [String], after position: Int64, limit: Int = 1_000, without: [String: String] = [:]
    ) async throws -> (events: [RecordedEvent], through: Int64) {
        try await client.checkedQuery(Self.readQuery(types: types, after: position, limit: limit, without: without), logger: logger) { rows in
            var events: [RecordedEvent] = []
            var through = position
            for try await (head, eventPosition, id, account, stream, version, type, schemaVersion, data, metadata, recordedAt) in rows.decode(
                (Int64, Int64?, UUID?, UUID?, String?, Int64?, String?, Int32?, String?, String?, Date?).self
            ) {
                through = head
                // The head's row alone when nothing of these types lies past `position`.
                guard let eventPosition, let id, let account, let stream, let version, let type, let schemaVersion, let data, let metadata, let recordedAt else { continue }
                events.append(try RecordedEventRows.event(eventPosition, id, account, stream, version, type, schemaVersion, data, metadata, recordedAt))
            }
            return (events, through)
        }
    }

    /// The head comes from a subquery of one row: joined as a table, the planner took the head's table (never
    /// analyzed on a new database) for 2,200 rows, and a read of 5,000 events for a plan expensive enough to
    /// compile with JIT, 0.1 s per read, until autovacuum first analyzed it.
    static func readQuery(types: [String], after position: Int64, limit: Int, without: [String: String]) -> PostgresQuery {
        let stripped = without.sorted { $0.key < $1.key }
        let strippedTypes = stripped.map(\.key), strippedFields = stripped.map(\.value)
        return """
            SELECT h.position, e.position, e.event_id, e.account_id, e.stream, e.stream_version, e.type, e.schema_version,
                   CASE WHEN e.type = ANY(\(strippedTypes)) THEN (e.data - (\(strippedFields)::text[])[array_position(\(strippedTypes)::text[], e.type)])::text
                        ELSE e.data::text END,
                   e.metadata::text, e.recorded_at
              FROM (SELECT position FROM event_log_head LIMIT 1) AS h
              LEFT JOIN LATERAL (SELECT * FROM events
                                  WHERE position > \(position) AND position <= h.position AND type = ANY(\(types))
                                  ORDER BY position LIMIT \(Int64(limit))) e ON true
             ORDER BY e.position
            """
    }

    /// A stream's events from `version` on, in stream order.
    public func readStream(_ stream: StreamName, fromVersion version: Int64 = 1, limit: Int = 1_000) async throws -> [RecordedEvent] {
        try await client.checkedQuery("""
            SELECT \(unescaped: RecordedEventRows.columns) FROM events
            WHERE stream = \(stream.rawValue) AND stream_version >= \(version) ORDER BY stream_version LIMIT \(Int64(limit))
            """, logger: logger, RecordedEventRows.collect)
    }

    /// Every event after `position`, now and as they are committed.
    public func tail(after position: Int64, pageSize: Int = 500) -> EventTail {
        EventTail(store: self, after: position, pageSize: pageSize)
    }

    /// Returns once this process's append batches that have left by now have finished (see
    /// `GroupCommitter.waitForBatchesInFlight`).
    package func waitForOwnAppendsInFlight() async {
        await committer.waitForBatchesInFlight()
    }

    package func waitForAppends(beyond position: Int64) async {
        await watermark.wait(beyond: position, timeout: configuration.pollInterval)
    }

    /// Keeps the watermark current with every process's appends while anyone here waits for them; reconnects
    /// with backoff. Nobody waiting, nothing is listened to: a process that only appends pays nothing for
    /// other processes' commits.
    private func listenForAppends() async {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            await watermark.waitForDemand()
            if Task.isCancelled { return }
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.notificationChannel) { notifications in
                        backoff = .milliseconds(100)
                        // What committed before LISTEN took effect sent us no NOTIFY: catch up once.
                        watermark.advance(to: try await headPosition())
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for try await notification in notifications {
                                    if let position = Int64(notification.payload) { self.watermark.advance(to: position) }
                                }
                            }
                            group.addTask { await self.waitUntilNobodyWaits() }
                            try await group.next()
                            group.cancelAll()
                        }
                    }
                }
            } catch {
                let code = (error as? PSQLError)?.code
                if Task.isCancelled || code == .poolClosed { return }  // shutting down
                // The pool closes its connections as it shuts down: not worth a warning.
                logger.log(level: code == .clientClosedConnection ? .debug : .warning,
                           "listening for appends failed; tails poll until it is back", metadata: ["error": "\(describe(error))"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    private func waitUntilNobodyWaits() async {
        let linger = configuration.listenLinger
        while !Task.isCancelled {
            if let since = watermark.idleSince, ContinuousClock.now - since >= linger { return }
            try? await Task.sleep(for: linger / 4)
        }
    }
}

/// The one mapping between `events` rows and `RecordedEvent`.
enum RecordedEventRows {
    static let columns = "position, event_id, account_id, stream, stream_version, type, schema_version, data::text, metadata::text, recorded_at"

    static func collect(_ rows: PostgresRowSequence) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        for try await (position, id, account, stream, version, type, schemaVersion, data, metadata, recordedAt) in rows.decode(
            (Int64, UUID, UUID, String, Int64, String, Int32, String, String, Date).self
        ) {
            events.append(try event(position, id, account, stream, version, type, schemaVersion, data, metadata, recordedAt))
        }
        return events
    }

    static func event(
        _ position: Int64, _ id: UUID, _ account: UUID, _ stream: String, _ version: Int64, _ type: String, _ schemaVersion: Int32,
        _ data: String, _ metadata: String, _ recordedAt: Date
    ) throws -> RecordedEvent {
        RecordedEvent(
            position: position, id: id, accountID: account, stream: try StreamName(parsing: stream),
            streamVersion: version, type: type, schemaVersion: schemaVersion, data: data,
            metadata: try EventMetadataParser.parse(metadata), recordedAt: recordedAt
        )
    }
}
