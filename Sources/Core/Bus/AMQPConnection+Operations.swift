/// The channels a Canopy connection uses, each for one kind of traffic, so that a synchronous call never
/// reads a frame meant for asynchronous traffic.
public enum AMQPChannel {
    /// Declarations, basic.get: synchronous calls.
    public static let calls: UInt16 = 1
    /// Publishing, in confirm mode.
    public static let publishing: UInt16 = 2
    /// Consuming.
    public static let consuming: UInt16 = 3
}

extension AMQPConnection {
    /// Publishes `messages` in order and returns once the broker has settled every one of them, with what it
    /// said of each. Several batches may be in flight at once.
    public func publish(_ messages: [AMQPMessage]) async throws(AMQPError) -> [AMQPPublishOutcome] {
        try await perform { loop, reply throws(AMQPError) in
            try loop.publish(messages, channel: AMQPChannel.publishing, reply: reply)
        }
    }

    /// Starts consuming `queue` with manual acks, at most `prefetch` unacked deliveries at a time.
    public func consume(queue: String, prefetch: UInt16) async throws(AMQPError) -> AMQPDeliveries {
        try await perform { loop, reply throws(AMQPError) in
            reply(.success(try loop.consume(queue: queue, prefetch: prefetch, channel: AMQPChannel.consuming)))
        }
    }

    /// Acks a delivery (and, with `multiple`, every earlier unacked one on its channel), once written.
    public func ack(_ delivery: AMQPDelivery, multiple: Bool = false) async throws(AMQPError) {
        let channel = delivery.channel, tag = delivery.deliveryTag
        try await withWire { wire throws(AMQPError) in try wire.ack(channel: channel, deliveryTag: tag, multiple: multiple) }
    }

    /// The same, without waiting for the write: a consumer's next batch need not wait for the thread. An ack
    /// that cannot be written fails the connection (and so the deliveries), and the broker redelivers.
    public func ackSoon(_ delivery: AMQPDelivery, multiple: Bool = false) {
        let channel = delivery.channel, tag = delivery.deliveryTag
        send { loop throws(AMQPError) in try loop.wire.ack(channel: channel, deliveryTag: tag, multiple: multiple) }
    }

    /// Rejects a delivery: back to its queue, or (without requeue) to the queue's dead-letter exchange.
    public func reject(_ delivery: AMQPDelivery, requeue: Bool) async throws(AMQPError) {
        let channel = delivery.channel, tag = delivery.deliveryTag
        try await withWire { wire throws(AMQPError) in try wire.reject(channel: channel, deliveryTag: tag, requeue: requeue) }
    }

    /// The next message of `queue`, unacked (ack or reject it, or it goes back when the connection closes).
    public func get(queue: String) async throws(AMQPError) -> AMQPDelivery? {
        try await withWire { wire throws(AMQPError) in try wire.get(queue: queue, channel: AMQPChannel.calls) }
    }

    public func declareExchange(_ name: String, type: String) async throws(AMQPError) {
        try await withWire { wire throws(AMQPError) in try wire.declareExchange(name, type: type, channel: AMQPChannel.calls) }
    }

    /// A durable queue.
    public func declareQueue(_ name: String, arguments: [(name: String, value: AMQPHeaderValue)] = []) async throws(AMQPError) {
        try await withWire { wire throws(AMQPError) in try wire.declareQueue(name, arguments: arguments, channel: AMQPChannel.calls) }
    }

    public func bindQueue(_ queue: String, exchange: String, routingKey: String) async throws(AMQPError) {
        try await withWire { wire throws(AMQPError) in try wire.bindQueue(queue, exchange: exchange, routingKey: routingKey, channel: AMQPChannel.calls) }
    }

    public func messageCount(_ queue: String) async throws(AMQPError) -> Int {
        try await withWire { wire throws(AMQPError) in try wire.messageCount(queue, channel: AMQPChannel.calls) }
    }

    public func purgeQueue(_ queue: String) async throws(AMQPError) {
        try await withWire { wire throws(AMQPError) in try wire.purgeQueue(queue, channel: AMQPChannel.calls) }
    }

    public func deleteQueue(_ queue: String) async throws(AMQPError) {
        try await withWire { wire throws(AMQPError) in try wire.deleteQueue(queue, channel: AMQPChannel.calls) }
    }
}
