import Foundation
public import Logging
public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// Runs one `EventConsumer` from its queue, for as long as the service runs, through broker and database
/// restarts.
///
/// For each batch of deliveries (whatever is buffered, up to `maxBatch`): one transaction records the
/// events in the inbox, keyed by (consumer, event id), and applies those not seen before; it commits; only
/// then are the deliveries acked. A redelivered event finds its inbox row and has no second effect. If the
/// batch fails, each event is tried alone; one that fails goes to the retry queue for its attempt with the
/// error in its headers, and after the last attempt to the parking queue; the consumer goes on with the
/// next. If the database itself is unavailable, nothing is acked: the connection is dropped and the
/// deliveries come back once it is.
public final class ConsumerRuntime: Service, Sendable {
    public struct Configuration: Sendable {
        /// Unacked deliveries the broker sends at most.
        public var prefetch: UInt16 = 500
        /// Events applied in one transaction at most.
        public var maxBatch = 500
        /// Delay before each retry; after the last, an event is parked.
        public var retryDelays: [Duration] = [.seconds(1), .seconds(10), .seconds(60)]
        public var connection = AMQPConnection.Configuration()
        public var topology = EventTopology()
        public init() {}
    }

    /// What the runtime has done since it started.
    public struct Counters: Sendable, Hashable {
        public var applied = 0
        /// Deliveries whose event was already in the inbox.
        public var duplicates = 0
        public var retried = 0
        public var parked = 0
    }

    public let consumer: any EventConsumer
    public let queues: ConsumerQueues
    private let configuration: Configuration
    private let client: PostgresClient
    private let amqp: AMQPEndpoint
    private let logger: Logger
    private let counts = Mutex(Counters())
    private let metrics: ConsumerMetrics
    private let onCommit: @Sendable ([RecordedEvent]) -> Void

    /// `onCommit` is called with each batch of newly applied events after its transaction committed.
    public init(
        consumer: any EventConsumer, client: PostgresClient, amqp: AMQPEndpoint, configuration: Configuration = .init(),
        logger: Logger, onCommit: @escaping @Sendable ([RecordedEvent]) -> Void = { _ in }
    ) throws {
        self.consumer = consumer
        self.queues = try ConsumerQueues(consumer: consumer.name, retryDelays: configuration.retryDelays, topology: configuration.topology)
        self.configuration = configuration
        self.client = client
        self.amqp = amqp
        var logger = logger
        logger[metadataKey: "consumer"] = "\(consumer.name)"
        self.logger = logger
        self.onCommit = onCommit
        self.metrics = ConsumerMetrics(consumer: consumer.name)
    }

    public var counters: Counters { counts.withLock { $0 } }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.consumeUntilCancelled() }
    }

    private func consumeUntilCancelled() async {
        _ = await retryingUntilCancelled("consuming", logger: logger) {
            try await AMQPConnection.withConnection(
                to: amqp, name: "canopy-consumer-\(consumer.name)", configuration: configuration.connection, logger: logger
            ) { connection in
                try await queues.declare(on: connection, bindings: consumer.bindings)
                let deliveries = try await connection.consume(queue: queues.main, prefetch: configuration.prefetch)
                logger.debug("consuming", metadata: ["queue": "\(queues.main)"])
                while !Task.isCancelled {
                    let batch = try await deliveries.next(max: configuration.maxBatch)
                    try await handle(batch, on: connection)
                }
            }
        }
    }

    /// Applies a batch and acks it; throws (acking nothing) only when the database or the broker failed.
    private func handle(_ deliveries: [AMQPDelivery], on connection: AMQPConnection) async throws {
        guard let last = deliveries.last else { return }
        var events: [(AMQPDelivery, RecordedEvent)] = []
        for delivery in deliveries {
            do {
                events.append((delivery, try EventMessages.event(from: delivery)))
            } catch {
                try await fail(delivery, event: nil, error: error, on: connection)
            }
        }
        do {
            try await apply(events.map(\.1))
        } catch let failure as HandlerFailure {
            if events.count == 1 {
                try await fail(events[0].0, event: events[0].1, error: failure.error, on: connection)
            } else {
                // Find the culprit: the others still apply.
                for (delivery, event) in events {
                    do { try await apply([event]) } catch let failure as HandlerFailure {
                        try await fail(delivery, event: event, error: failure.error, on: connection)
                    }
                }
            }
        }
        connection.ackSoon(last, multiple: true)
    }

    private struct HandlerFailure: Error {
        var error: any Error
    }

    /// One transaction: inbox rows, then the consumer's effect for the events new to it. Throws
    /// `HandlerFailure` when the consumer failed; anything else means the database did.
    private func apply(_ events: [RecordedEvent]) async throws {
        guard !events.isEmpty else { return }
        let fresh = try await client.withConnection { connection in
            try await connection.inTransaction(logger: logger) { connection -> [RecordedEvent] in
                let rows = try await connection.checkedQuery("""
                    INSERT INTO consumer_inbox (consumer, event_id, position, account_id)
                    SELECT \(consumer.name), * FROM unnest(\(events.map(\.id))::uuid[], \(events.map(\.position))::int8[], \(events.map(\.accountID))::uuid[])
                    ON CONFLICT DO NOTHING
                    RETURNING event_id
                    """, logger: logger)
                var inserted = Set<UUID>()
                for try await id in rows.decode(UUID.self) { inserted.insert(id) }
                // The same event twice in one batch is inserted once.
                var seen = Set<UUID>()
                let fresh = events.filter { inserted.contains($0.id) && seen.insert($0.id).inserted }
                if !fresh.isEmpty {
                    do { try await consumer.apply(fresh, on: connection, logger: logger) } catch {
                        if isDatabaseUnavailable(error) || Task.isCancelled { throw error }
                        throw HandlerFailure(error: error)
                    }
                }
                return fresh
            }
        }
        counts.withLock {
            $0.applied += fresh.count
            $0.duplicates += events.count - fresh.count
        }
        metrics.applied(fresh, duplicates: events.count - fresh.count)
        if !fresh.isEmpty { onCommit(fresh) }
    }

    /// Sends a delivery that failed to its next retry queue, or parks it, with the error; returns once the
    /// broker confirmed it (the caller then acks the original).
    private func fail(_ delivery: AMQPDelivery, event: RecordedEvent?, error: any Error, on connection: AMQPConnection) async throws {
        let attempts = Int(delivery.header(FailureHeader.attempts)?.int ?? 0) + 1
        let destination = queues.retry(after: attempts) ?? queues.parked
        // A malformed message would fail the same way every time: park it at once.
        let target = event == nil ? queues.parked : destination
        var headers = delivery.headers.filter { !$0.name.hasPrefix("x-canopy-") && $0.name != "x-death" }
        let message = String(describe(error).prefix(2_000))
        headers.append((FailureHeader.attempts, .int(Int64(attempts))))
        headers.append((FailureHeader.error, .string(message)))
        headers.append((FailureHeader.failedAt, .int(Int64(Date().timeIntervalSince1970 * 1_000))))
        headers.append((FailureHeader.consumer, .string(consumer.name)))
        let copy = AMQPMessage(
            exchange: "", routingKey: target, body: delivery.body, messageID: delivery.messageID ?? UUID.v7().lowercasedString,
            headers: headers, persistent: true, mandatory: true
        )
        let outcome = try await connection.publish([copy])
        guard outcome == [.confirmed] else {
            throw AMQPError(.protocolViolation, "the broker did not take the failed event into \(target): \(outcome)")
        }
        let parked = target == queues.parked
        counts.withLock { if parked { $0.parked += 1 } else { $0.retried += 1 } }
        metrics.failed(parked: parked)
        logger.log(level: parked ? .error : .warning, parked ? "event parked" : "event failed; will retry", metadata: [
            "event_id": "\(delivery.messageID ?? "?")", "attempt": "\(attempts)", "error": "\(message)", "queue": "\(target)",
        ])
    }
}
