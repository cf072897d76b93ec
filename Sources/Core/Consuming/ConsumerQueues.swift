/// One consumer's queues, declared by the consumer at start (durable; redeclaring is a no-op):
///
/// - `canopy.<consumer>`: bound to `canopy.events` by the consumer's patterns; what it rejects is
///   dead-lettered into the parking queue;
/// - `canopy.<consumer>.retry.<ms>ms`, one per retry delay: a failed event waits there (queue TTL) and is
///   dead-lettered back into the main queue;
/// - `canopy.<consumer>.parked`: where an event ends after its last attempt, with the error that parked it.
///
/// Delays are in the retry queues' names, so changing them declares new queues instead of clashing with
/// the old ones' arguments.
public struct ConsumerQueues: Sendable, Hashable {
    public let consumer: String
    public let retryDelays: [Duration]
    public let topology: EventTopology

    public struct InvalidName: Error, CustomStringConvertible {
        public var description: String
    }

    public init(consumer: String, retryDelays: [Duration], topology: EventTopology = .init()) throws(InvalidName) {
        let bytes = Array(consumer.utf8)
        guard (1...100).contains(bytes.count), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0]),
              bytes.allSatisfy({ ASCII.isLowerAlphanumericOrUnderscore($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else {
            throw InvalidName(description: "a consumer name is 1-100 of a-z, 0-9, _, - and ., starting with a letter: \(consumer.prefix(100))")
        }
        self.consumer = consumer
        self.retryDelays = retryDelays
        self.topology = topology
    }

    public var main: String { "\(topology.queuePrefix).\(consumer)" }
    public var parked: String { "\(main).parked" }

    /// The queue an event waits in before its attempt number `attempt + 1` (attempt counts from 1).
    public func retry(after attempt: Int) -> String? {
        guard attempt >= 1, attempt <= retryDelays.count else { return nil }
        return retryQueue(retryDelays[attempt - 1])
    }

    private func retryQueue(_ delay: Duration) -> String { "\(main).retry.\(Self.milliseconds(delay))ms" }

    public func declare(on connection: AMQPConnection, bindings: [String]) async throws(AMQPError) {
        try await connection.declareExchange(topology.exchange, type: "topic")
        try await connection.declareQueue(parked)
        try await connection.declareQueue(main, arguments: [
            ("x-dead-letter-exchange", .string("")), ("x-dead-letter-routing-key", .string(parked)),
        ])
        for delay in retryDelays {
            try await connection.declareQueue(retryQueue(delay), arguments: [
                ("x-message-ttl", .int(Self.milliseconds(delay))),
                ("x-dead-letter-exchange", .string("")), ("x-dead-letter-routing-key", .string(main)),
            ])
        }
        for binding in bindings {
            try await connection.bindQueue(main, exchange: topology.exchange, routingKey: binding)
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

/// Headers the consumer runtime adds to an event it sends to a retry or parking queue.
public enum FailureHeader {
    /// Attempts made so far.
    public static let attempts = "x-canopy-attempts"
    /// What the last attempt threw.
    public static let error = "x-canopy-error"
    /// When it failed, ms since 1970.
    public static let failedAt = "x-canopy-failed-at"
    public static let consumer = "x-canopy-consumer"
}
