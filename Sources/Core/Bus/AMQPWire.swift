import CRabbitMQ
import Foundation

/// AMQP 0-9-1 numbers rabbitmq-c defines as cast macros, which Swift does not import.
enum AMQPMethod {
    static let connectionClose: amqp_method_number_t = 0x000A_0032
    static let connectionBlocked: amqp_method_number_t = 0x000A_003C
    static let connectionUnblocked: amqp_method_number_t = 0x000A_003D
    static let channelClose: amqp_method_number_t = 0x0014_0028
    static let channelCloseOK: amqp_method_number_t = 0x0014_0029
    static let basicCancel: amqp_method_number_t = 0x003C_001E
    static let basicReturn: amqp_method_number_t = 0x003C_0032
    static let basicDeliver: amqp_method_number_t = 0x003C_003C
    static let basicGetOK: amqp_method_number_t = 0x003C_0047
    static let basicGetEmpty: amqp_method_number_t = 0x003C_0048
    static let basicAck: amqp_method_number_t = 0x003C_0050
    static let basicNack: amqp_method_number_t = 0x003C_0078
}

enum AMQPFrameType {
    static let method: UInt8 = 1
    static let header: UInt8 = 2
    static let body: UInt8 = 3
    static let heartbeat: UInt8 = 8
}

enum AMQPPropertyFlag {
    static let contentType: amqp_flags_t = 1 << 15
    static let headers: amqp_flags_t = 1 << 13
    static let deliveryMode: amqp_flags_t = 1 << 12
    static let messageID: amqp_flags_t = 1 << 7
    static let timestamp: amqp_flags_t = 1 << 6
}

/// One rabbitmq-c connection, used only by the OS thread that made it (rabbitmq-c is not thread-safe and
/// every call blocks). Synchronous calls here; the thread's loop (`AMQPConnectionLoop`) does the rest.
final class AMQPWire {
    let state: amqp_connection_state_t
    let endpoint: AMQPEndpoint
    /// Negotiated with the broker; 0 means none.
    let heartbeatSeconds: Int
    private var openChannels: Set<UInt16> = []
    private var destroyed = false

    init(endpoint: AMQPEndpoint, connectionName: String, heartbeatSeconds: Int, timeout: Duration) throws(AMQPError) {
        guard let state = amqp_new_connection() else { throw AMQPError(.resources, "rabbitmq-c could not allocate a connection") }
        self.state = state
        self.endpoint = endpoint
        let socket: OpaquePointer?
        if endpoint.usesTLS {
            socket = amqp_ssl_socket_new(state)
            if let socket {
                amqp_ssl_socket_set_verify_peer(socket, 1)
                amqp_ssl_socket_set_verify_hostname(socket, 1)
                let bundle = ProcessInfo.processInfo.environment["CANOPY_AMQP_CA_FILE"] ?? "/etc/ssl/certs/ca-certificates.crt"
                if FileManager.default.fileExists(atPath: bundle) { _ = amqp_ssl_socket_set_cacert(socket, bundle) }
            }
        } else {
            socket = amqp_tcp_socket_new(state)
        }
        guard let socket else {
            amqp_destroy_connection(state)
            throw AMQPError(.resources, "rabbitmq-c could not create a socket")
        }
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        let opened = amqp_socket_open_noblock(socket, endpoint.host, Int32(endpoint.port), &limit)
        guard opened == AMQP_STATUS_OK.rawValue else {
            amqp_destroy_connection(state)
            throw AMQPError(.connectFailed, "cannot reach \(endpoint): \(String(cString: amqp_error_string2(opened)))")
        }
        _ = amqp_set_handshake_timeout(state, &limit)
        _ = amqp_set_rpc_timeout(state, &limit)
        let reply = canopy_amqp_login_named(state, endpoint.virtualHost, 131_072, Int32(heartbeatSeconds),
                                            endpoint.username, endpoint.password, connectionName)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            let detail = Self.describe(reply)
            amqp_destroy_connection(state)
            throw AMQPError(.loginRefused, "\(endpoint) refused the login: \(detail)")
        }
        self.heartbeatSeconds = Int(amqp_get_heartbeat(state))
    }

    deinit { destroy() }

    var socketDescriptor: Int32 { amqp_get_sockfd(state) }

    /// Frames rabbitmq-c already holds (queued during an RPC, or read but not yet decoded).
    var hasBufferedInput: Bool { amqp_frames_enqueued(state) != 0 || amqp_data_in_buffer(state) != 0 }

    func destroy() {
        guard !destroyed else { return }
        destroyed = true
        amqp_destroy_connection(state)
    }

    /// connection.close and its close-ok (bounded by the RPC timeout), then the socket goes.
    func close() {
        guard !destroyed else { return }
        _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        destroy()
    }

    // MARK: Synchronous calls (never while confirms or deliveries are expected on the same channel)

    func openChannel(_ channel: UInt16) throws(AMQPError) {
        guard !openChannels.contains(channel) else { return }
        _ = amqp_channel_open(state, channel)
        try checkReply("channel.open \(channel)")
        openChannels.insert(channel)
    }

    func declareExchange(_ name: String, type: String, channel: UInt16 = 1) throws(AMQPError) {
        try openChannel(channel)
        AMQPCArena.with { arena in
            _ = amqp_exchange_declare(state, channel, arena.bytes(name), arena.bytes(type), 0, 1, 0, 0, amqp_empty_table)
        }
        try checkReply("exchange.declare \(name)")
    }

    func declareQueue(_ name: String, arguments: [(name: String, value: AMQPHeaderValue)] = [], channel: UInt16 = 1) throws(AMQPError) {
        try openChannel(channel)
        AMQPCArena.with { arena in
            _ = amqp_queue_declare(state, channel, arena.bytes(name), 0, 1, 0, 0, arena.table(arguments))
        }
        try checkReply("queue.declare \(name)")
    }

    func bindQueue(_ queue: String, exchange: String, routingKey: String, channel: UInt16 = 1) throws(AMQPError) {
        try openChannel(channel)
        AMQPCArena.with { arena in
            _ = amqp_queue_bind(state, channel, arena.bytes(queue), arena.bytes(exchange), arena.bytes(routingKey), amqp_empty_table)
        }
        try checkReply("queue.bind \(queue) to \(exchange) by \(routingKey)")
    }

    /// Messages in the queue now (queue.declare passive).
    func messageCount(_ queue: String, channel: UInt16 = 1) throws(AMQPError) -> Int {
        try openChannel(channel)
        let ok = AMQPCArena.with { arena in amqp_queue_declare(state, channel, arena.bytes(queue), 1, 0, 0, 0, amqp_empty_table) }
        try checkReply("queue.declare passive \(queue)")
        return Int(ok?.pointee.message_count ?? 0)
    }

    func purgeQueue(_ queue: String, channel: UInt16 = 1) throws(AMQPError) {
        try openChannel(channel)
        AMQPCArena.with { arena in _ = amqp_queue_purge(state, channel, arena.bytes(queue)) }
        try checkReply("queue.purge \(queue)")
    }

    func deleteQueue(_ queue: String, channel: UInt16 = 1) throws(AMQPError) {
        try openChannel(channel)
        AMQPCArena.with { arena in _ = amqp_queue_delete(state, channel, arena.bytes(queue), 0, 0) }
        try checkReply("queue.delete \(queue)")
    }

    func confirmSelect(channel: UInt16) throws(AMQPError) {
        try openChannel(channel)
        _ = amqp_confirm_select(state, channel)
        try checkReply("confirm.select on \(channel)")
    }

    func consume(queue: String, prefetch: UInt16, channel: UInt16) throws(AMQPError) {
        try openChannel(channel)
        _ = amqp_basic_qos(state, channel, 0, prefetch, 0)
        try checkReply("basic.qos \(prefetch)")
        AMQPCArena.with { arena in
            _ = amqp_basic_consume(state, channel, arena.bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        }
        try checkReply("basic.consume \(queue)")
    }

    /// basic.get without auto-ack: the message stays the broker's until acked, and goes back to the queue
    /// if the connection closes first. Nil when the queue is empty.
    func get(queue: String, channel: UInt16 = 1) throws(AMQPError) -> AMQPDelivery? {
        try openChannel(channel)
        let reply = AMQPCArena.with { arena in amqp_basic_get(state, channel, arena.bytes(queue), 0) }
        try check(reply, "basic.get \(queue)")
        guard reply.reply.id == AMQPMethod.basicGetOK, let ok = reply.reply.decoded?.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee else {
            return nil
        }
        var message = amqp_message_t()
        let read = amqp_read_message(state, channel, &message, 0)
        try check(read, "reading the message basic.get gave")
        defer { amqp_destroy_message(&message) }
        let properties = message.properties
        return AMQPDelivery(
            channel: channel, deliveryTag: ok.delivery_tag, redelivered: ok.redelivered != 0,
            exchange: ok.exchange.string, routingKey: ok.routing_key.string,
            messageID: properties._flags & AMQPPropertyFlag.messageID != 0 ? properties.message_id.string : nil,
            headers: properties._flags & AMQPPropertyFlag.headers != 0 ? properties.headers.headers : [],
            body: message.body.array
        )
    }

    // MARK: Asynchronous calls (answers, if any, come as frames)

    func publish(_ message: AMQPMessage, channel: UInt16) throws(AMQPError) {
        let status = AMQPCArena.with { arena -> Int32 in
            var properties = amqp_basic_properties_t()
            properties._flags = AMQPPropertyFlag.contentType | AMQPPropertyFlag.deliveryMode | AMQPPropertyFlag.messageID
            properties.content_type = arena.bytes(message.contentType)
            properties.delivery_mode = message.persistent ? 2 : 1
            properties.message_id = arena.bytes(message.messageID)
            if !message.headers.isEmpty {
                properties._flags |= AMQPPropertyFlag.headers
                properties.headers = arena.table(message.headers)
            }
            if let timestamp = message.timestamp {
                properties._flags |= AMQPPropertyFlag.timestamp
                properties.timestamp = timestamp / 1_000  // AMQP timestamps are seconds
            }
            let exchange = arena.bytes(message.exchange), routingKey = arena.bytes(message.routingKey)
            return message.body.withUnsafeBytes { body in
                amqp_basic_publish(state, channel, exchange, routingKey, message.mandatory ? 1 : 0, 0, &properties,
                                   amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
            }
        }
        try checkStatus(status, "basic.publish")
    }

    func ack(channel: UInt16, deliveryTag: UInt64, multiple: Bool) throws(AMQPError) {
        try checkStatus(amqp_basic_ack(state, channel, deliveryTag, multiple ? 1 : 0), "basic.ack")
    }

    func reject(channel: UInt16, deliveryTag: UInt64, requeue: Bool) throws(AMQPError) {
        try checkStatus(amqp_basic_reject(state, channel, deliveryTag, requeue ? 1 : 0), "basic.reject")
    }

    func sendChannelCloseOK(channel: UInt16) {
        var ok = amqp_channel_close_ok_t(dummy: 0)
        _ = amqp_send_method(state, channel, AMQPMethod.channelCloseOK, &ok)
        openChannels.remove(channel)
    }

    /// The next frame if one is ready, without waiting; nil otherwise. Each call also sends a heartbeat
    /// when one is due and notices a broker that stopped sending them.
    func nextFrame() throws(AMQPError) -> amqp_frame_t? {
        var frame = amqp_frame_t()
        var now = timeval(tv_sec: 0, tv_usec: 0)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &now)
        if status == AMQP_STATUS_OK.rawValue { return frame }
        if status == AMQP_STATUS_TIMEOUT.rawValue { return nil }
        throw AMQPError(.connectionLost, "\(endpoint): \(String(cString: amqp_error_string2(status)))")
    }

    func releaseBuffers() { amqp_maybe_release_buffers(state) }

    // MARK: Errors

    private func checkStatus(_ status: Int32, _ what: String) throws(AMQPError) {
        guard status != AMQP_STATUS_OK.rawValue else { return }
        throw AMQPError(.connectionLost, "\(what) on \(endpoint): \(String(cString: amqp_error_string2(status)))")
    }

    private func checkReply(_ what: String) throws(AMQPError) {
        try check(amqp_get_rpc_reply(state), what)
    }

    private func check(_ reply: amqp_rpc_reply_t, _ what: String) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            let (code, text) = Self.closeReason(reply.reply)
            throw AMQPError(.closedByBroker, "\(what): \(text)", replyCode: code)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            throw AMQPError(.connectionLost, "\(what) on \(endpoint): \(String(cString: amqp_error_string2(reply.library_error)))")
        default:
            throw AMQPError(.protocolViolation, "\(what): no reply")
        }
    }

    /// The reply code and text of a channel.close or connection.close.
    static func closeReason(_ method: amqp_method_t) -> (UInt16?, String) {
        guard let decoded = method.decoded else { return (nil, "closed") }
        switch method.id {
        case AMQPMethod.channelClose:
            let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            return (close.reply_code, "channel closed by the broker: \(close.reply_text.string)")
        case AMQPMethod.connectionClose:
            let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            return (close.reply_code, "connection closed by the broker: \(close.reply_text.string)")
        default:
            return (nil, "unexpected method 0x\(String(method.id, radix: 16))")
        }
    }

    private static func describe(_ reply: amqp_rpc_reply_t) -> String {
        switch reply.reply_type {
        case AMQP_RESPONSE_SERVER_EXCEPTION: closeReason(reply.reply).1
        case AMQP_RESPONSE_LIBRARY_EXCEPTION: String(cString: amqp_error_string2(reply.library_error))
        default: "no reply"
        }
    }
}
