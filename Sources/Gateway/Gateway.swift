public import Hummingbird
public import Logging

/// The HTTP front of Canopy. Today: health and readiness; the API arrives with the identity work.
public enum Gateway {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }
    }

    public static func router(health: HealthRoutes) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ErrorMiddleware())
        health.register(on: router)
        return router
    }

    public static func application(
        configuration: Configuration, health: HealthRoutes, logger: Logger,
        onServerRunning: @escaping @Sendable () async -> Void = {}
    ) -> some ApplicationProtocol {
        Application(
            router: router(health: health),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "canopy"),
            onServerRunning: { _ in await onServerRunning() },
            logger: logger
        )
    }
}
