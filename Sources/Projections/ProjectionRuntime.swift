public import Core
import Foundation
public import Logging
public import PostgresNIO
public import ServiceLifecycle

/// Runs a projection live from its queue (through the consumer runtime, so each event is applied once),
/// builds it from the log the first time, and answers "has it applied position N yet?" for
/// read-your-writes.
public final class ProjectionRuntime: Service, Sendable {
    public let projection: any Projection
    private let client: PostgresClient
    private let store: EventStore
    private let amqp: AMQPEndpoint
    private let consumerConfiguration: ConsumerRuntime.Configuration
    private let logger: Logger
    /// The projection's checkpoint as this process knows it: advanced after each commit.
    private let applied = LogWatermark()
    private let onApplied: @Sendable (Int64) -> Void

    public init(
        projection: any Projection, client: PostgresClient, store: EventStore, amqp: AMQPEndpoint,
        consumer: ConsumerRuntime.Configuration = .init(), logger: Logger,
        onApplied: @escaping @Sendable (_ position: Int64) -> Void = { _ in }
    ) throws {
        try ProjectionRegistry.validate(projection)
        self.projection = projection
        self.client = client
        self.store = store
        self.amqp = amqp
        self.consumerConfiguration = consumer
        var logger = logger
        logger[metadataKey: "projection"] = "\(projection.name)"
        self.logger = logger
        self.onApplied = onApplied
    }

    public var checkpoint: Int64 { applied.position }

    public func run() async throws {
        let runtime = try ConsumerRuntime(
            consumer: ProjectionConsumer(projection: projection), client: client, amqp: amqp,
            configuration: consumerConfiguration, logger: logger,
            onCommit: { [applied, onApplied] events in
                if let last = events.map(\.position).max() {
                    applied.advance(to: last)
                    onApplied(last)
                }
            }
        )
        try await cancelWhenGracefulShutdown {
            // Nil: shut down before it was ready, which is no failure.
            guard await self.prepare(runtime.queues) != nil else { return }
            try await runtime.run()
        }
    }

    /// Declares the queue first, so that nothing committed from then on is missed, then builds the
    /// projection from the log if it never was.
    private func prepare(_ queues: ConsumerQueues) async -> Void? {
        await retryingUntilCancelled("preparing the projection", logger: logger) {
            try await AMQPConnection.withConnection(to: amqp, name: "canopy-projection-\(projection.name)-setup", logger: logger) { connection in
                try await queues.declare(on: connection, bindings: ProjectionConsumer.bindings)
            }
            if try await ProjectionRegistry.entry(projection.name, on: client, logger: logger) == nil {
                logger.info("building the projection from the log for the first time")
                _ = try await ProjectionRebuilder(projection: projection, store: store, client: client, logger: logger).rebuild()
            }
            if let entry = try await ProjectionRegistry.entry(projection.name, on: client, logger: logger) {
                applied.advance(to: entry.checkpoint)
            }
        }
    }

    /// Returns once the projection has applied the log up to `position` (true), or after `timeout` (false).
    /// Never polls: it sleeps until a commit of this process passes the mark, and looks at the database once
    /// at the end (a rebuild elsewhere may have moved the checkpoint).
    public func waitUntilApplied(_ position: Int64, timeout: Duration) async -> Bool {
        if applied.position >= position { return true }
        await applied.wait(beyond: position - 1, timeout: timeout)
        if applied.position >= position { return true }
        if let entry = try? await ProjectionRegistry.entry(projection.name, on: client, logger: logger) {
            applied.advance(to: entry.checkpoint)
        }
        return applied.position >= position
    }
}

/// A projection as an event consumer: bound to every event type (so that its checkpoint passes every
/// position, which read-your-writes relies on), applying those it reads to the live generation.
struct ProjectionConsumer: EventConsumer {
    static let bindings = ["#"]
    let projection: any Projection

    var name: String { projection.consumerName }
    var bindings: [String] { Self.bindings }

    func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws {
        // Locks the row (a rebuild's swap waits for us, or we for it) and moves the checkpoint, in one trip.
        let last = events.map(\.position).max() ?? 0
        guard let entry = try await ProjectionRegistry.advanceCheckpoint(projection.name, to: last, on: connection, logger: logger) else {
            throw ProjectionRegistry.NotBuilt(description: "projection \(projection.name) has never been built")
        }
        // Events up to the last rebuild's position are in the tables already.
        let relevant = events.filter { $0.position > entry.rebuiltThrough && projection.reads($0.type) }
        if !relevant.isEmpty {
            try await projection.apply(relevant, to: ProjectionTables(generation: entry.generation), on: connection, logger: logger)
        }
    }
}
