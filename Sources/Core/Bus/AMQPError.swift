/// Anything the AMQP bridge reports: a typed code, a message for people, and the broker's reply code when
/// the broker itself closed the channel or connection. Never a crash, whatever the broker answers.
public struct AMQPError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// TCP/TLS connect or the AMQP handshake failed.
        public static let connectFailed = Code("amqp.connect_failed")
        /// The broker refused our credentials or virtual host.
        public static let loginRefused = Code("amqp.login_refused")
        /// The socket failed, the broker went away or stopped answering heartbeats.
        public static let connectionLost = Code("amqp.connection_lost")
        /// The broker closed the channel or the connection (see `replyCode`: 404 not found, 406 precondition…).
        public static let closedByBroker = Code("amqp.closed_by_broker")
        /// We closed the connection; what was waiting on it gets this.
        public static let closed = Code("amqp.closed")
        /// The broker said something AMQP does not allow at that point.
        public static let protocolViolation = Code("amqp.protocol_violation")
        /// rabbitmq-c could not allocate what it needed.
        public static let resources = Code("amqp.resources")
    }

    public var code: Code
    public var message: String
    public var replyCode: UInt16?

    public init(_ code: Code, _ message: String, replyCode: UInt16? = nil) {
        self.code = code
        self.message = message
        self.replyCode = replyCode
    }

    public var description: String {
        if let replyCode { return "\(code): \(message) (reply \(replyCode))" }
        return "\(code): \(message)"
    }
}
