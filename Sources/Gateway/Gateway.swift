public import Hummingbird
public import Logging

/// The HTTP front of Canopy. Today: health, readiness and the event catalog; the rest of the API arrives
/// with the identity work.
public enum Gateway {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }
    }

    public static func router(health: HealthRoutes, stats: StatsRoutes? = nil) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ErrorMiddleware())
        health.register(on: router)
        stats?.register(on: router)
        return router
    }

    public static func application(
        configuration: Configuration, health: HealthRoutes, stats: StatsRoutes? = nil, logger: Logger,
        onServerRunning: @escaping @Sendable () async -> Void = {}
    ) -> some ApplicationProtocol {
        Application(
            router: router(health: health, stats: stats),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "canopy"),
            onServerRunning: { _ in await onServerRunning() },
            logger: logger
        )
    }
}
