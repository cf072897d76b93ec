import ArgumentParser
import Core
import Gateway
import Logging
import PostgresNIO
import Projections
import ServiceLifecycle
import Workers

/// The parts one process can run; several processes may run the same part (the relay keeps one active).
enum Component: String, CaseIterable, ExpressibleByArgument {
    case gateway, relay, projections
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Migrate, then run the components until SIGTERM or SIGINT, then shut down gracefully."
    )

    @OptionGroup var options: ServerOptions

    @Option(name: .customLong("component"), help: "A component to run (gateway, relay, projections); repeat for several. Default: all.")
    var components: [Component] = Component.allCases

    func run() async throws {
        try await CommandFailure.reporting { try await Server.run(Settings.resolve(options), components: Set(components)) }
    }
}

struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "serve, with development defaults (debug logs). ops/dev starts the servers and runs this."
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await CommandFailure.reporting {
            try await Server.run(Settings.resolve(options, defaultLogLevel: .debug), components: Set(Component.allCases), bootstrap: true)
        }
    }
}

/// One process running any subset of Canopy's components over one pool and one event store.
enum Server {
    /// `bootstrap`: make the master account first when the log has none (`canopy dev`).
    static func run(_ settings: Settings, components: Set<Component>, bootstrap: Bool = false) async throws {
        let logger = Logs.bootstrap(level: settings.logLevel)
        let registry = MetricsEndpoint.bootstrap()
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
        // Built in every process: a gateway without the projections component still answers (and waits on
        // min_position by a look at the database when its wait ends).
        var consumer = ConsumerRuntime.Configuration()
        consumer.topology = settings.topology
        let projections = try KnownProjections.all.map {
            try ProjectionRuntime(projection: $0, client: client, store: store, amqp: amqp, consumer: consumer, logger: logger)
        }
        let catalog = projections.first { $0.projection.name == EventCatalog().name }!

        // Started in order, shut down in reverse: /ready turns 503, the gateway stops taking requests, the
        // consumers and the relay stop, the log drains, the pool closes.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: client), .init(service: store)]
        if components.contains(.relay) {
            var relay = Relay.Configuration()
            relay.topology = settings.topology
            services.append(.init(service: Relay(store: store, database: settings.database, amqp: amqp, configuration: relay, logger: logger)))
        }
        if components.contains(.projections) {
            services += projections.map { .init(service: $0) }
        }
        if components.contains(.gateway) {
            // A start folds only the log after the newest snapshot this very executable wrote.
            let snapshots = IdentitySnapshots(client: client, build: try ExecutableBuild.current(), logger: logger)
            let view = IdentityView(store: store, logger: logger, snapshots: snapshots)
            let tokens = try await Platform.tokens(settings, logger: logger)
            var identityConfiguration = IdentityAPI.Configuration()
            identityConfiguration.trustedProxies = settings.trustedProxies
            let identity = IdentityAPI(
                view: view, runner: CommandRunner(store: store, view: view, logger: logger), tokens: tokens,
                hasher: PasswordHasher(cost: UInt8(clamping: settings.bcryptCost)), limits: RateLimits(client: client, logger: logger),
                sms: settings.sms.map(SmsProvider.init),
                logos: LogoStore(store: store, client: client, logger: logger), configuration: identityConfiguration
            )
            let api = Gateway.API(view: view, tokens: tokens, identity: identity, stats: StatsRoutes(client: client, store: store, catalog: catalog, logger: logger),
                                  idempotency: IdempotencyStore(client: client, logger: logger))
            let gateway = Gateway.application(
                configuration: .init(host: settings.httpHost, port: settings.httpPort), health: health, api: api, logger: logger,
                onServerRunning: {
                    // Ready once the identity view holds the log as it was at start (and, for dev, the master exists).
                    do {
                        if bootstrap { _ = try await Platform.bootstrap(settings, view: view, store: store, logger: logger) }
                        _ = try await view.catchUp(timeout: .seconds(60))
                        readiness.markReady()
                    } catch {
                        logger.error("not ready", metadata: ["error": "\(error)"])
                    }
                }
            )
            services.append(.init(service: view))
            services.append(.init(service: gateway, successTerminationBehavior: .gracefullyShutdownGroup))
            services.append(.init(service: ReadinessService(readiness)))
        }
        if let port = settings.metricsPort {
            services.append(.init(service: MetricsEndpoint.server(registry, host: settings.metricsHost, port: port, logger: logger)))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("canopy serving", metadata: [
            "components": "\(components.map(\.rawValue).sorted().joined(separator: ","))",
            "http": "\(settings.httpHost):\(settings.httpPort)", "metrics": "\(settings.metricsPort.map { "\(settings.metricsHost):\($0)/metrics" } ?? "off")",
            "database": "\(settings.database)", "amqp": "\(amqp)",
        ])
        try await group.run()
        logger.info("canopy stopped")
    }
}
