import CRabbitMQ
import Foundation
import Logging

/// The thread side of an `AMQPConnection`: runs commands, waits on the socket and the wake pipe, reads
/// frames and settles what they answer. Lives and dies on the connection's thread.
final class AMQPConnectionLoop {
    /// Which publish a confirm answers: the batch and the message's index in it.
    struct Pending: Sendable {
        var batch: Int
        var index: Int
    }

    private struct Batch {
        var outcomes: [AMQPPublishOutcome]
        var remaining: Int
        let reply: @Sendable (Result<[AMQPPublishOutcome], AMQPError>) -> Void
    }

    /// A message whose method frame came and whose header and body frames are still arriving.
    private struct Content {
        enum Kind {
            case delivery(tag: UInt64, redelivered: Bool, exchange: String, routingKey: String)
            case returned
        }

        var kind: Kind
        var bodySize = 0
        var messageID: String?
        var headers: [(name: String, value: AMQPHeaderValue)] = []
        var body: [UInt8] = []
        var headerSeen = false
    }

    let wire: AMQPWire
    private let connection: AMQPConnection
    private var confirms: [UInt16: PublisherConfirms<Pending>] = [:]
    private var batches: [Int: Batch] = [:]
    private var nextBatch = 0
    private var consumers: [UInt16: AMQPDeliveries] = [:]
    private var contents: [UInt16: Content] = [:]

    init(wire: AMQPWire, connection: AMQPConnection) {
        self.wire = wire
        self.connection = connection
    }

    func run() {
        let failure: AMQPError
        var graceful = false
        running: while true {
            let (commands, closing) = connection.takeCommands()
            for command in commands {
                do {
                    try command.run(self)
                } catch {
                    command.fail(error)
                    failure = error
                    break running
                }
            }
            if closing {
                failure = AMQPError(.closed, "the connection \(connection.name) was closed")
                graceful = true
                break
            }
            do { try pump() } catch {
                failure = error
                break
            }
        }
        // After a broker's refusal the socket still works: say goodbye properly.
        if graceful || failure.code == .closedByBroker { wire.close() } else { wire.destroy() }
        if !graceful { connection.logger.warning("amqp connection lost", metadata: ["connection": "\(connection.name)", "error": "\(failure)"]) }
        for batch in batches.values { batch.reply(.failure(failure)) }
        batches.removeAll()
        for consumer in consumers.values { consumer.end(failure) }
        consumers.removeAll()
        connection.finished(failure: failure)
    }

    // MARK: Commands

    func publish(_ messages: [AMQPMessage], channel: UInt16, reply: @escaping @Sendable (Result<[AMQPPublishOutcome], AMQPError>) -> Void) throws(AMQPError) {
        if messages.isEmpty { return reply(.success([])) }
        if confirms[channel] == nil {
            try wire.confirmSelect(channel: channel)
            confirms[channel] = PublisherConfirms()
        }
        let id = nextBatch
        nextBatch += 1
        batches[id] = Batch(outcomes: Array(repeating: .confirmed, count: messages.count), remaining: messages.count, reply: reply)
        for (index, message) in messages.enumerated() {
            _ = confirms[channel]!.published(Pending(batch: id, index: index), messageID: message.messageID)
            try wire.publish(message, channel: channel)
        }
    }

    func consume(queue: String, prefetch: UInt16, channel: UInt16) throws(AMQPError) -> AMQPDeliveries {
        try wire.consume(queue: queue, prefetch: prefetch, channel: channel)
        let deliveries = AMQPDeliveries()
        consumers[channel] = deliveries
        return deliveries
    }

    // MARK: Frames

    /// Waits until the socket or the wake pipe is readable (or a quarter heartbeat passes), then reads every
    /// frame that is ready.
    private func pump() throws(AMQPError) {
        if !wire.hasBufferedInput {
            var fds = [
                pollfd(fd: wire.socketDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: connection.wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let timeout = wire.heartbeatSeconds > 0 ? max(wire.heartbeatSeconds * 250, 50) : 1_000
            _ = poll(&fds, 2, Int32(timeout))
            if fds[1].revents != 0 { connection.drainWakes() }
        }
        var read = 0
        // Bounded, so that commands get their turn under a flood of deliveries.
        while read < 1_000, let frame = try wire.nextFrame() {
            try dispatch(frame)
            read += 1
        }
        wire.releaseBuffers()
    }

    private func dispatch(_ frame: amqp_frame_t) throws(AMQPError) {
        let channel = frame.channel
        switch frame.frame_type {
        case AMQPFrameType.method:
            try dispatchMethod(frame.payload.method, channel: channel)
        case AMQPFrameType.header:
            guard var content = contents[channel], !content.headerSeen else {
                throw AMQPError(.protocolViolation, "a content header on channel \(channel) with no method before it")
            }
            content.headerSeen = true
            content.bodySize = Int(frame.payload.properties.body_size)
            if let decoded = frame.payload.properties.decoded {
                let properties = decoded.assumingMemoryBound(to: amqp_basic_properties_t.self).pointee
                if properties._flags & AMQPPropertyFlag.messageID != 0 { content.messageID = properties.message_id.string }
                if properties._flags & AMQPPropertyFlag.headers != 0 { content.headers = properties.headers.headers }
            }
            content.body.reserveCapacity(content.bodySize)
            try settleContent(content, channel: channel)
        case AMQPFrameType.body:
            guard var content = contents[channel], content.headerSeen else {
                throw AMQPError(.protocolViolation, "a body frame on channel \(channel) with no header before it")
            }
            content.body.append(contentsOf: frame.payload.body_fragment.array)
            try settleContent(content, channel: channel)
        default:
            break  // heartbeats: rabbitmq-c has noted that the broker is alive
        }
    }

    private func dispatchMethod(_ method: amqp_method_t, channel: UInt16) throws(AMQPError) {
        switch method.id {
        case AMQPMethod.basicAck:
            guard let ack = method.decoded?.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee else { return }
            try settle(channel: channel, tag: ack.delivery_tag, multiple: ack.multiple != 0, acked: true)
        case AMQPMethod.basicNack:
            guard let nack = method.decoded?.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee else { return }
            try settle(channel: channel, tag: nack.delivery_tag, multiple: nack.multiple != 0, acked: false)
        case AMQPMethod.basicDeliver:
            guard let deliver = method.decoded?.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee else { return }
            contents[channel] = Content(kind: .delivery(
                tag: deliver.delivery_tag, redelivered: deliver.redelivered != 0,
                exchange: deliver.exchange.string, routingKey: deliver.routing_key.string
            ))
        case AMQPMethod.basicReturn:
            contents[channel] = Content(kind: .returned)
        case AMQPMethod.channelClose:
            let (code, text) = AMQPWire.closeReason(method)
            wire.sendChannelCloseOK(channel: channel)
            throw AMQPError(.closedByBroker, text, replyCode: code)
        case AMQPMethod.connectionClose:
            let (code, text) = AMQPWire.closeReason(method)
            throw AMQPError(.closedByBroker, text, replyCode: code)
        case AMQPMethod.basicCancel:
            throw AMQPError(.closedByBroker, "the broker cancelled the consumer on channel \(channel) (its queue was deleted?)")
        case AMQPMethod.connectionBlocked:
            connection.logger.warning("the broker blocked publishing (memory or disk alarm)", metadata: ["connection": "\(connection.name)"])
        case AMQPMethod.connectionUnblocked:
            connection.logger.notice("the broker unblocked publishing", metadata: ["connection": "\(connection.name)"])
        default:
            connection.logger.debug("ignored amqp method", metadata: ["method": "\(String(method.id, radix: 16))"])
        }
    }

    private func settleContent(_ content: Content, channel: UInt16) throws(AMQPError) {
        guard content.body.count >= content.bodySize else {
            contents[channel] = content
            return
        }
        contents[channel] = nil
        switch content.kind {
        case .delivery(let tag, let redelivered, let exchange, let routingKey):
            guard let consumer = consumers[channel] else {
                throw AMQPError(.protocolViolation, "a delivery on channel \(channel), which has no consumer")
            }
            consumer.push(AMQPDelivery(
                channel: channel, deliveryTag: tag, redelivered: redelivered, exchange: exchange, routingKey: routingKey,
                messageID: content.messageID, headers: content.headers, body: content.body
            ))
        case .returned:
            guard let messageID = content.messageID else {
                throw AMQPError(.protocolViolation, "basic.return of a message without a message id")
            }
            do { try confirms[channel]?.returned(messageID: messageID) } catch {
                throw AMQPError(.protocolViolation, error.description)
            }
        }
    }

    private func settle(channel: UInt16, tag: UInt64, multiple: Bool, acked: Bool) throws(AMQPError) {
        guard var tracker = confirms[channel] else {
            throw AMQPError(.protocolViolation, "a confirm on channel \(channel), which is not in confirm mode")
        }
        let settlements: [PublisherConfirms<Pending>.Settlement]
        do {
            settlements = acked ? try tracker.ack(tag: tag, multiple: multiple) : try tracker.nack(tag: tag, multiple: multiple)
        } catch {
            throw AMQPError(.protocolViolation, error.description)
        }
        confirms[channel] = tracker
        for settlement in settlements {
            let (pending, outcome): (Pending, AMQPPublishOutcome) = switch settlement {
            case .confirmed(let pending): (pending, .confirmed)
            case .nacked(let pending): (pending, .nacked)
            case .returned(let pending): (pending, .returned)
            }
            guard var batch = batches[pending.batch] else { continue }
            batch.outcomes[pending.index] = outcome
            batch.remaining -= 1
            if batch.remaining == 0 {
                batches[pending.batch] = nil
                batch.reply(.success(batch.outcomes))
            } else {
                batches[pending.batch] = batch
            }
        }
    }
}
