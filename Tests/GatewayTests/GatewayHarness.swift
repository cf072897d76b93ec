import CanopyTesting
import Core
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Projections

/// A gateway over a fresh database, served over real HTTP, with the platform bootstrapped: master account
/// "Master Holdings" on `platform.test`, its super admin `admin@platform.test`.
struct GatewayHarness: Sendable {
    static let platformDomain = "platform.test"
    static let adminEmail = "admin@platform.test"
    static let password = "correct horse battery"

    var http: TestClient
    /// The gateway's loopback port, for clients of their own (new connections).
    let port: Int
    let view: IdentityView
    let runner: CommandRunner
    let tokens: AccessTokens
    let store: EventStore
    let database: TestDatabase
    let master: UUID
    let routes: [RouteDeclaration]

    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var text: String
        var headers: HTTPFields = [:]

        func json() -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
        var errorCode: String? { (json()["error"] as? [String: Any])?["code"] as? String }
        var errorFields: [String: String] { ((json()["error"] as? [String: Any])?["fields"] as? [String: String]) ?? [:] }
        func string(_ key: String) -> String? { json()[key] as? String }
        func int(_ key: String) -> Int64? { (json()[key] as? NSNumber)?.int64Value }
    }

    func call(_ method: HTTPRequest.Method, _ path: String, host: String = platformDomain, token: String? = nil, body: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        headers[.connection] = "keep-alive"
        let request = TestClient.Request(path, method: method, authority: host, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let response = try await http.execute(request)
        return Reply(status: response.status, text: response.body.map { String(buffer: $0) } ?? "", headers: response.headers)
    }

    /// The same gateway over a connection of its own (a new client source port).
    func overNewConnection<T: Sendable>(_ body: @escaping @Sendable (GatewayHarness) async throws -> T) async throws -> T {
        try await TestClient.withClient(host: "localhost", port: port) { http in
            var fresh = self
            fresh.http = http
            return try await body(fresh)
        }
    }

    /// Logs in and returns the access token and refresh token.
    func login(_ email: String = adminEmail, password: String = password, host: String = platformDomain, account: UUID? = nil) async throws -> (access: String, refresh: String, reply: Reply) {
        var body: [String: String] = ["email": email, "password": password]
        if let account { body["account_id"] = account.lowercasedString }
        let reply = try await call(.post, "/api/v1/auth/login", host: host, body: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
        return (reply.string("access_token") ?? "", reply.string("refresh_token") ?? "", reply)
    }

    /// A real signed token for a user acting in an account, without a login (for matrices of many actors).
    func token(user: UUID, account: UUID, tenant: UUID, expiresIn seconds: Double = 600) async throws -> String {
        try await tokens.issue(.init(userID: user, accountID: account, tenantID: tenant, sessionID: nil,
                                     expiresAt: Date().addingTimeInterval(seconds), impersonatorID: nil))
    }

    /// Runs an identity command as the platform would (setup for tests that are about something else).
    @discardableResult
    func command(_ decide: (IdentityState) throws -> [IdentityEvent]) async throws -> Int64 {
        try await runner.run(EventMetadata(actor: "system:test"), decide)
    }

    /// A sub-account of the master on its own tenant domain, its owner able to log in there.
    func client(domain: String, ownerEmail: String, password: String? = nil, phone: String? = nil) async throws -> UUID {
        let id = UUID.v7(), master = master
        let hash = try await password.asyncMap { try await PasswordHasher(cost: 4).hash($0) }
        try await command { try TenantCommands.createTenant($0, owner: master, primaryDomain: domain, branding: .init(displayName: domain)) }
        try await command {
            try AccountCommands.createSubAccount($0, parent: master, accountID: id, name: "Client \(domain)", roles: [.userAdmin],
                                                 tenantID: IdentityState.tenantID(forDomain: domain), owner: .init(email: ownerEmail, name: "Owner", passwordHash: hash, phone: phone))
        }
        return id
    }

    /// The metadata of every logged event of a type, oldest first, as the log's JSON.
    func metadata(ofType type: String) async throws -> [String] {
        try await database.client.checkedQuery("SELECT metadata::text FROM events WHERE type = \(type) ORDER BY position", logger: TestServers.logger) { rows in
            var result: [String] = []
            for try await text in rows.decode(String.self) { result.append(text) }
            return result
        }
    }

    func logRowCount() async throws -> Int64 {
        try await database.client.checkedQuery("SELECT count(*) FROM events", logger: TestServers.logger) { rows in
            for try await count in rows.decode(Int64.self) { return count }
            return 0
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

func withGateway(
    sms: SmsProvider? = nil,
    configure: @escaping @Sendable (inout IdentityAPI.Configuration) -> Void = { _ in },
    _ body: @escaping @Sendable (GatewayHarness) async throws -> Void
) async throws {
    try await withEventStore { store, database in
        try await withGateway(store: store, database: database, sms: sms, configure: configure, body)
    }
}

/// The gateway over an existing store; `stats` adds the stats route (it needs the catalog projection).
/// `platform` names the master account of a log that was bootstrapped already (a second gateway on it).
func withGateway(
    store: EventStore, database: TestDatabase, platform: UUID? = nil, stats: StatsRoutes? = nil, sms: SmsProvider? = nil,
    configure: @escaping @Sendable (inout IdentityAPI.Configuration) -> Void = { _ in },
    _ body: @escaping @Sendable (GatewayHarness) async throws -> Void
) async throws {
    let logger = TestServers.logger
    let view = IdentityView(store: store, logger: logger)
    let tokens = try await AccessTokens(keys: [.init(id: "test-\(UUID.v7().lowercasedString.suffix(8))", secret: UUID.v7().uuidString + UUID.v7().uuidString)])
    let runner = CommandRunner(store: store, view: view, logger: logger)
    var configuration = IdentityAPI.Configuration()
    configuration.loginPerIP.limit = 100_000  // many logins from one address in tests; the limits have their own test
    configuration.loginPerEmail.limit = 100_000
    configuration.smsPerIP.limit = 100_000
    configure(&configuration)
    let hasher = PasswordHasher(cost: 4)
    let identity = IdentityAPI(view: view, runner: runner, tokens: tokens, hasher: hasher, limits: RateLimits(client: database.client, logger: logger), sms: sms,
                               logos: LogoStore(store: store, client: database.client, logger: logger), configuration: configuration)
    let (router, routes) = Gateway.router(health: HealthRoutes(checks: [], readiness: Readiness()),
                                          api: Gateway.API(view: view, tokens: tokens, identity: identity, stats: stats,
                                                                           idempotency: IdempotencyStore(client: database.client, logger: logger)))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await view.run() }
        defer { group.cancelAll() }
        let master = platform ?? UUID.v7()
        if platform == nil {
            let hash = try await hasher.hash(GatewayHarness.password)
            _ = try await runner.run(EventMetadata(actor: "system:test")) {
                try AccountCommands.bootstrap($0, accountID: master, name: "Master Holdings", platformDomain: GatewayHarness.platformDomain,
                                              owner: .init(email: GatewayHarness.adminEmail, name: "Admin", passwordHash: hash),
                                              branding: TenantBranding(displayName: "Platform Brand"))
            }
        } else {
            _ = try await view.catchUp(timeout: .seconds(10))
        }
        try await Application(router: router).test(.live) { client in
            try await TestClient.withClient(host: "localhost", port: client.port!) { http in
                try await body(GatewayHarness(http: http, port: client.port!, view: view, runner: runner, tokens: tokens, store: store, database: database, master: master, routes: routes))
            }
        }
    }
}
