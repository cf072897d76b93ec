import Logging

/// Opens an AMQP connection, logs in and closes it: the broker is reachable and accepts our credentials.
public enum AMQPProbe {
    public static func check(_ endpoint: AMQPEndpoint, timeout: Duration = .seconds(3)) async throws {
        var configuration = AMQPConnection.Configuration()
        configuration.connectTimeout = timeout
        let connection = try await AMQPConnection.connect(
            to: endpoint, name: "canopy-probe", configuration: configuration, logger: Logger(label: "canopy.amqp.probe")
        )
        await connection.close()
    }
}
