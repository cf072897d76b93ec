import ArgumentParser
import Core
import Gateway
import Logging
import PostgresNIO
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Migrate, then run every component until SIGTERM or SIGINT, then shut down gracefully."
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await CommandFailure.reporting { try await Server.run(Settings.resolve(options)) }
    }
}

struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "serve, with development defaults (debug logs). ops/dev starts the servers and runs this."
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await CommandFailure.reporting { try await Server.run(Settings.resolve(options, defaultLogLevel: .debug)) }
    }
}

/// One process running any subset of Canopy's services; today: the event log and the gateway.
enum Server {
    static func run(_ settings: Settings) async throws {
        let logger = Logs.bootstrap(level: settings.logLevel)
        let migrator = try Migrator(directory: Migrator.locateDirectory())
        try await migrator.migrate(settings.database, logger: logger)

        let client = PostgresClient(configuration: try settings.database.clientConfiguration(), backgroundLogger: logger)
        let store = EventStore(client: client, logger: logger)
        let readiness = Readiness()
        let amqp = settings.amqp
        let health = HealthRoutes(checks: [
            HealthCheck(name: "postgres") { try await client.query("SELECT 1") },
            HealthCheck(name: "rabbitmq") { try await AMQPProbe.check(amqp) },
        ], readiness: readiness)
        let gateway = Gateway.application(
            configuration: .init(host: settings.httpHost, port: settings.httpPort), health: health, logger: logger,
            onServerRunning: { readiness.markReady() }
        )
        // Shut down in reverse: /ready turns 503, the gateway stops taking requests, the log drains, the pool closes.
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: client),
                .init(service: store),
                .init(service: gateway, successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: ReadinessService(readiness)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        logger.info("canopy serving", metadata: ["http": "\(settings.httpHost):\(settings.httpPort)", "database": "\(settings.database)", "amqp": "\(amqp)"])
        try await group.run()
        logger.info("canopy stopped")
    }
}
