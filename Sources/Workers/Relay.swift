public import Core
public import Logging
import Metrics
import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// Publishes the event log to RabbitMQ, in order, at least once.
///
/// One instance is active across all processes: it holds a session advisory lock on a connection of its
/// own, and writes its checkpoint through that same connection, so an instance that lost the lock can no
/// longer move the checkpoint. Others wait and take over when the active one dies (its connection closes,
/// PostgreSQL releases the lock).
///
/// The active instance reads the log after its checkpoint, publishes each batch with publisher confirms and
/// moves the checkpoint only past what the broker confirmed. After any crash it resumes from the checkpoint:
/// an event may be published twice, never zero times (consumers deduplicate by event id).
public final class Relay: Service, Sendable {
    public struct Configuration: Sendable {
        /// Names the checkpoint and the lock: relays of different names run side by side.
        public var name = "events"
        public var batchSize = 1_000
        /// Batches published and awaiting confirms at once: the broker confirms one while the next is sent.
        public var maxInFlightBatches = 2
        /// How often the checkpoint is written while events flow (and always once they stop): a crash
        /// publishes again at most this much, and the database is spared a write per batch.
        public var checkpointInterval: Duration = .milliseconds(100)
        /// How often a waiting instance tries the lock.
        public var lockRetry: Duration = .milliseconds(250)
        public var connection = AMQPConnection.Configuration()
        public var topology = EventTopology()
        public init() {}
    }

    private let store: EventStore
    private let database: DatabaseURL
    private let amqp: AMQPEndpoint
    private let configuration: Configuration
    private let logger: Logger
    private let published = Atomic<Int>(0)
    private let confirmedPosition = Atomic<Int64>(0)
    /// The same two for the process's metrics (Prometheus under `canopy serve`).
    private let publishedMetric: Counter
    private let positionMetric: Gauge

    public init(store: EventStore, database: DatabaseURL, amqp: AMQPEndpoint, configuration: Configuration = .init(), logger: Logger) {
        self.store = store
        self.database = database
        self.amqp = amqp
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "relay"] = "\(configuration.name)"
        self.logger = logger
        publishedMetric = Counter(label: "canopy_relay_published_events_total", dimensions: [("relay", configuration.name)])
        positionMetric = Gauge(label: "canopy_relay_confirmed_position", dimensions: [("relay", configuration.name)])
    }

    /// Events this instance published and the broker confirmed.
    public var publishedCount: Int { published.load(ordering: .relaxed) }
    /// How far the broker has confirmed this instance's publishes (written to the checkpoint within
    /// `checkpointInterval`).
    public var checkpoint: Int64 { confirmedPosition.load(ordering: .relaxed) }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.relayUntilCancelled() }
    }

    private func relayUntilCancelled() async {
        _ = await retryingUntilCancelled("relaying", logger: logger) {
            try await database.withConnection(logger: logger) { lockConnection in
                try await waitForLock(on: lockConnection)
                logger.info("relay active")
                try await AMQPConnection.withConnection(
                    to: amqp, name: "canopy-relay-\(configuration.name)", configuration: configuration.connection, logger: logger
                ) { connection in
                    try await connection.declareExchange(configuration.topology.exchange, type: "topic")
                    try await relay(on: connection, checkpointsOn: lockConnection)
                }
            }
        }
    }

    private func waitForLock(on connection: PostgresConnection) async throws {
        var announced = false
        while true {
            let rows = try await connection.checkedQuery(
                "SELECT pg_try_advisory_lock(hashtext('canopy.relay'), hashtext(\(configuration.name)))", logger: logger
            )
            for try await acquired in rows.decode(Bool.self) where acquired { return }
            if !announced {
                logger.info("another relay instance is active; waiting to take over")
                announced = true
            }
            try await Task.sleep(for: configuration.lockRetry)
        }
    }

    private enum Progress: Sendable {
        case confirmed(sequence: Int, last: Int64, count: Int)
        case appended
    }

    /// The active instance's loop: up to `maxInFlightBatches` batches published and awaiting their confirms
    /// while the next is read; the checkpoint moves past a batch once it and every batch before it are
    /// confirmed. Below the limit, it waits for whichever comes first: a confirm or a new append.
    private func relay(on connection: AMQPConnection, checkpointsOn lockConnection: PostgresConnection) async throws {
        let start = try await readCheckpoint(on: lockConnection)
        confirmedPosition.store(start, ordering: .relaxed)
        try await withThrowingTaskGroup(of: Progress.self) { tasks in
            var readPosition = start
            var sent = 0, confirmed = 0
            var waitingForAppends = false
            var done: [Int: (last: Int64, count: Int)] = [:]
            var unsaved: Int64?
            var saved = ContinuousClock.now
            func save() async throws {
                guard let position = unsaved else { return }
                try await writeCheckpoint(position, on: lockConnection)
                unsaved = nil
                saved = .now
            }
            while !Task.isCancelled {
                if sent - confirmed < configuration.maxInFlightBatches {
                    let batch = try await store.readAll(after: readPosition, limit: configuration.batchSize)
                    if let last = batch.last?.position {
                        let sequence = sent
                        sent += 1
                        readPosition = last
                        tasks.addTask {
                            try await self.publishUntilConfirmed(batch, on: connection)
                            return .confirmed(sequence: sequence, last: last, count: batch.count)
                        }
                        continue
                    }
                    if !waitingForAppends {
                        if sent == confirmed { try await save() }  // caught up: the checkpoint says so
                        waitingForAppends = true
                        let position = readPosition
                        tasks.addTask {
                            await self.store.waitForAppends(beyond: position)
                            return .appended
                        }
                    }
                }
                guard let progress = try await tasks.next() else { continue }
                guard case .confirmed(let sequence, let last, let count) = progress else {
                    waitingForAppends = false
                    continue
                }
                done[sequence] = (last, count)
                var advanced: (last: Int64, count: Int)?
                while let next = done.removeValue(forKey: confirmed) {
                    advanced = (next.last, (advanced?.count ?? 0) + next.count)
                    confirmed += 1
                }
                if let advanced {
                    unsaved = advanced.last
                    confirmedPosition.store(advanced.last, ordering: .relaxed)
                    published.add(advanced.count, ordering: .relaxed)
                    publishedMetric.increment(by: advanced.count)
                    positionMetric.record(advanced.last)
                    if ContinuousClock.now - saved >= configuration.checkpointInterval { try await save() }
                }
            }
        }
    }

    /// Publishes a batch; what the broker nacks is published again (in order) until all is confirmed.
    private func publishUntilConfirmed(_ events: [RecordedEvent], on connection: AMQPConnection) async throws {
        let exchange = configuration.topology.exchange
        var pending = events.map { EventMessages.message(for: $0, exchange: exchange) }
        var backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(2))
        while !pending.isEmpty {
            let outcomes = try await connection.publish(pending)
            // Unroutable events (no queue bound) are dropped by the broker, as intended: not mandatory.
            pending = zip(pending, outcomes).filter { $0.1 == .nacked }.map(\.0)
            if !pending.isEmpty {
                logger.warning("the broker nacked events; publishing them again", metadata: ["count": "\(pending.count)"])
                try await Task.sleep(for: backoff.next())
            }
        }
    }

    private func readCheckpoint(on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.checkedQuery("SELECT position FROM relay_checkpoints WHERE name = \(configuration.name)", logger: logger)
        for try await position in rows.decode(Int64.self) { return position }
        return 0
    }

    private func writeCheckpoint(_ position: Int64, on connection: PostgresConnection) async throws {
        try await connection.checkedQuery("""
            INSERT INTO relay_checkpoints (name, position) VALUES (\(configuration.name), \(position))
            ON CONFLICT (name) DO UPDATE SET position = greatest(relay_checkpoints.position, excluded.position), updated_at = now()
            """, logger: logger)
    }
}
