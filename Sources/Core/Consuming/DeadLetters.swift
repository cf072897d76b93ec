public import Foundation
public import Logging

/// The parked events of a consumer: shown with the error that parked them, and replayed into its queue.
public struct DeadLetters: Sendable {
    public struct Parked: Sendable, Hashable {
        public var eventID: String
        public var type: String?
        public var position: Int64?
        public var accountID: String?
        public var attempts: Int
        public var error: String
        public var failedAt: Date?
    }

    public let queues: ConsumerQueues
    let amqp: AMQPEndpoint
    let logger: Logger

    public init(consumer: String, amqp: AMQPEndpoint, topology: EventTopology = .init(), logger: Logger) throws {
        // Retry delays do not matter here: parking and main queues are named by the consumer alone.
        self.queues = try ConsumerQueues(consumer: consumer, retryDelays: [], topology: topology)
        self.amqp = amqp
        self.logger = logger
    }

    /// Up to `limit` parked events, oldest first. They stay parked: taken unacked, they go back to the queue
    /// when the connection closes.
    public func list(limit: Int = 100) async throws -> [Parked] {
        try await AMQPConnection.withConnection(to: amqp, name: "canopy-dlq", logger: logger) { connection in
            _ = try await connection.messageCount(queues.parked)  // a clear 404 when the consumer never ran
            var parked: [Parked] = []
            while parked.count < limit, let delivery = try await connection.get(queue: queues.parked) {
                parked.append(Self.describe(delivery))
            }
            return parked
        }
    }

    /// Moves parked events back into the consumer's queue with a fresh count of attempts: all of them, or
    /// only `eventID`. Each is acked off the parking queue only once the broker confirmed its copy.
    @discardableResult
    public func replay(eventID: String? = nil) async throws -> [Parked] {
        try await AMQPConnection.withConnection(to: amqp, name: "canopy-dlq", logger: logger) { connection in
            let waiting = try await connection.messageCount(queues.parked)
            var replayed: [Parked] = []
            // Each message is looked at once: the ones left alone stay unacked until the connection closes.
            for _ in 0..<waiting {
                guard let delivery = try await connection.get(queue: queues.parked) else { break }
                let parked = Self.describe(delivery)
                guard eventID == nil || parked.eventID == eventID?.lowercased() else { continue }
                let copy = AMQPMessage(
                    exchange: "", routingKey: queues.main, body: delivery.body, messageID: parked.eventID,
                    headers: delivery.headers.filter { !$0.name.hasPrefix("x-canopy-") && $0.name != "x-death" },
                    persistent: true, mandatory: true
                )
                guard try await connection.publish([copy]) == [.confirmed] else {
                    throw AMQPError(.protocolViolation, "the broker did not take event \(parked.eventID) back into \(queues.main)")
                }
                try await connection.ack(delivery)
                replayed.append(parked)
            }
            return replayed
        }
    }

    static func describe(_ delivery: AMQPDelivery) -> Parked {
        Parked(
            eventID: delivery.messageID ?? "?",
            type: delivery.header("type")?.string,
            position: delivery.header("position")?.int,
            accountID: delivery.header("account_id")?.string,
            attempts: Int(delivery.header(FailureHeader.attempts)?.int ?? 0),
            error: delivery.header(FailureHeader.error)?.string ?? "rejected by the consumer",
            failedAt: delivery.header(FailureHeader.failedAt)?.int.map { Date(timeIntervalSince1970: Double($0) / 1_000) }
        )
    }
}
