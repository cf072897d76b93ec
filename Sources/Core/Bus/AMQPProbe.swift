import CRabbitMQ
import Foundation

public struct AMQPError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Opens an AMQP connection, logs in and closes it: the broker is reachable and accepts our credentials.
///
/// rabbitmq-c blocks, so the handshake runs on an OS thread of its own, never on Swift's cooperative pool.
public enum AMQPProbe {
    public static func check(_ endpoint: AMQPEndpoint, timeout: Duration = .seconds(3)) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try handshake(endpoint, timeout: timeout) })
            }
            thread.name = "canopy-amqp-probe"
            thread.start()
        }
    }

    private static func handshake(_ endpoint: AMQPEndpoint, timeout: Duration) throws {
        guard let connection = amqp_new_connection() else { throw AMQPError(description: "rabbitmq-c could not allocate a connection") }
        defer { amqp_destroy_connection(connection) }
        let socket: OpaquePointer?
        if endpoint.usesTLS {
            socket = amqp_ssl_socket_new(connection)
            if let socket {
                amqp_ssl_socket_set_verify_peer(socket, 1)
                amqp_ssl_socket_set_verify_hostname(socket, 1)
                let bundle = "/etc/ssl/certs/ca-certificates.crt"
                if FileManager.default.fileExists(atPath: bundle) { _ = amqp_ssl_socket_set_cacert(socket, bundle) }
            }
        } else {
            socket = amqp_tcp_socket_new(connection)
        }
        guard let socket else { throw AMQPError(description: "rabbitmq-c could not create a socket") }

        let seconds = timeout.components.seconds
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        let opened = amqp_socket_open_noblock(socket, endpoint.host, Int32(endpoint.port), &limit)
        guard opened == AMQP_STATUS_OK.rawValue else {
            throw AMQPError(description: "cannot reach \(endpoint): \(String(cString: amqp_error_string2(opened)))")
        }
        _ = amqp_set_handshake_timeout(connection, &limit)
        _ = amqp_set_rpc_timeout(connection, &limit)
        let reply = canopy_amqp_login_plain(connection, endpoint.virtualHost, 0, 131_072, 0, endpoint.username, endpoint.password)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
            throw AMQPError(description: "\(endpoint) refused the login (reply type \(reply.reply_type.rawValue))")
        }
        _ = amqp_connection_close(connection, AMQP_REPLY_SUCCESS)
    }
}
