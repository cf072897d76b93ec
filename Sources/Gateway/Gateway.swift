public import Hummingbird
public import Logging
public import Projections

/// The HTTP front of Canopy: health and readiness, and the API under `/api/v1`, where every route is
/// declared with its access rule (`SecuredRouter`) and the Host names the tenant (`TenancyMiddleware`).
public enum Gateway {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }
    }

    /// What the API needs: the identity view it authorizes against, token verification, the routes.
    public struct API: Sendable {
        public var view: IdentityView
        public var tokens: AccessTokens
        public var identity: IdentityAPI
        public var stats: StatsRoutes?
        /// Where `Idempotency-Key` replies are kept.
        public var idempotency: IdempotencyStore
        /// Told how long each access check took (the gateway benchmark's authz percentiles).
        public var timeAuthorization: (@Sendable (Duration) -> Void)?

        public init(view: IdentityView, tokens: AccessTokens, identity: IdentityAPI, stats: StatsRoutes? = nil, idempotency: IdempotencyStore) {
            self.view = view
            self.tokens = tokens
            self.identity = identity
            self.stats = stats
            self.idempotency = idempotency
        }
    }

    /// The router, and every API route it holds with its declared access.
    public static func router(health: HealthRoutes, api: API?) -> (router: Router<CanopyContext>, routes: [RouteDeclaration]) {
        let router = Router(context: CanopyContext.self)
        router.add(middleware: RequestIDMiddleware())
        // Outside the error middleware, so that requests are counted with the status they were answered with,
        // by route pattern (`/api/v1/accounts/{account_id}`), never by path.
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        health.register(on: router)
        guard let api else { return (router, []) }
        let prefix = "/api/v1"
        let group = router.group(RouterPath(prefix)).add(middleware: TenancyMiddleware(view: api.view, tokens: api.tokens, runner: api.identity.runner))
        let secured = SecuredRouter(group: group, prefix: prefix, view: api.view, idempotency: api.idempotency, timeAuthorization: api.timeAuthorization)
        api.identity.register(on: secured)
        api.stats?.register(on: secured)
        return (router, secured.declarations)
    }

    public static func application(
        configuration: Configuration, health: HealthRoutes, api: API?, logger: Logger,
        onServerRunning: @escaping @Sendable () async -> Void = {}
    ) -> some ApplicationProtocol {
        Application(
            router: router(health: health, api: api).router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "canopy"),
            onServerRunning: { _ in await onServerRunning() },
            logger: logger
        )
    }
}
