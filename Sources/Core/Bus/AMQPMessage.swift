/// A header value on the wire: the two kinds Canopy writes and reads.
public enum AMQPHeaderValue: Hashable, Sendable {
    case string(String)
    case int(Int64)

    public var string: String? { if case .string(let value) = self { value } else { nil } }
    public var int: Int64? {
        switch self {
        case .int(let value): value
        case .string(let value): Int64(value)
        }
    }
}

/// A message to publish.
public struct AMQPMessage: Sendable {
    public var exchange: String
    public var routingKey: String
    public var body: [UInt8]
    /// Also how a basic.return is matched to its publish.
    public var messageID: String
    public var headers: [(name: String, value: AMQPHeaderValue)]
    public var contentType: String
    /// Delivery mode 2: written to disk by a durable queue before the broker confirms it.
    public var persistent: Bool
    /// Returned (rather than dropped) when no queue is bound for it.
    public var mandatory: Bool
    /// Milliseconds since 1970.
    public var timestamp: UInt64?

    public init(
        exchange: String, routingKey: String, body: [UInt8], messageID: String,
        headers: [(name: String, value: AMQPHeaderValue)] = [], contentType: String = "application/json",
        persistent: Bool = true, mandatory: Bool = false, timestamp: UInt64? = nil
    ) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.messageID = messageID
        self.headers = headers
        self.contentType = contentType
        self.persistent = persistent
        self.mandatory = mandatory
        self.timestamp = timestamp
    }

    public func header(_ name: String) -> AMQPHeaderValue? {
        headers.first { $0.name == name }?.value
    }
}

/// What the broker said about one published message.
public enum AMQPPublishOutcome: Hashable, Sendable {
    /// The broker has it (on disk, for a persistent message on a durable queue).
    case confirmed
    /// The broker refused it: publish it again.
    case nacked
    /// Mandatory and routed to no queue.
    case returned
}

/// A message the broker delivered (basic.deliver) or handed out (basic.get).
public struct AMQPDelivery: Sendable {
    public var channel: UInt16
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String
    public var messageID: String?
    public var headers: [(name: String, value: AMQPHeaderValue)]
    public var body: [UInt8]

    public func header(_ name: String) -> AMQPHeaderValue? {
        headers.first { $0.name == name }?.value
    }
}
