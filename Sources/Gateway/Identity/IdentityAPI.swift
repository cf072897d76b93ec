public import Core
import Foundation
import Hummingbird
import HTTPTypes
public import Projections

/// The identity API: accounts, tenants, users, groups, sessions. Its routes live in one file per resource
/// family; this holds what they share.
public struct IdentityAPI: Sendable {
    public struct Configuration: Sendable {
        public var lifetimes = SessionCommands.Lifetimes()
        /// Login attempts (password or code) per client address, and password attempts per email.
        public var loginPerIP = RateLimits.Rule(bucket: "login.address", limit: 30, window: .seconds(60))
        public var loginPerEmail = RateLimits.Rule(bucket: "login.email", limit: 10, window: .seconds(60))
        /// Codes asked for, per client address and per phone.
        public var smsPerIP = RateLimits.Rule(bucket: "sms.address", limit: 10, window: .seconds(600))
        public var smsPerPhone = RateLimits.Rule(bucket: "sms.phone", limit: 3, window: .seconds(600))
        /// Proxies whose `X-Forwarded-For` names the client (for limits per address).
        public var trustedProxies = TrustedProxies.none
        /// How long an impersonation lasts (at most 15 minutes).
        public var impersonationLifetime = ImpersonationCommands.maximumLifetime

        public init() {}
    }

    let view: IdentityView
    let runner: CommandRunner
    let tokens: AccessTokens
    let hasher: PasswordHasher
    let configuration: Configuration
    /// Shared by every gateway on the database.
    let limits: RateLimits
    /// Where login codes are sent; without one, asking for a code answers 404 `auth.sms_unavailable`.
    let sms: SmsProvider?
    /// Where logo bytes live; without it, logo routes answer 404.
    let logos: LogoStore?

    public init(
        view: IdentityView, runner: CommandRunner, tokens: AccessTokens, hasher: PasswordHasher, limits: RateLimits,
        sms: SmsProvider? = nil, logos: LogoStore? = nil, configuration: Configuration = .init()
    ) {
        self.view = view
        self.sms = sms
        self.logos = logos
        self.runner = runner
        self.tokens = tokens
        self.hasher = hasher
        self.configuration = configuration
        self.limits = limits
    }

    public func register(on routes: SecuredRouter) {
        registerAuth(on: routes)
        registerAccounts(on: routes)
        registerAccess(on: routes)
        registerTenants(on: routes)
        registerImpersonation(on: routes)
        registerApiKeys(on: routes)
        registerSmsLogin(on: routes)
        registerLogos(on: routes)
    }

    /// The client's IP address (never with a port: a new connection is the same client), for limits per address.
    func clientAddress(_ request: Request, _ context: CanopyContext) -> String {
        configuration.trustedProxies.client(peer: context.remoteAddress, forwardedFor: request.headers[Self.forwardedFor])
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// A login attempt (password or code) over one of its limits.
    static let tooManyAttempts = APIError(.tooManyRequests, code: "auth.rate_limited", message: "too many attempts; wait a minute")

    /// Who did it, for every event a request appends.
    static func metadata(_ caller: Caller?, _ context: CanopyContext) -> EventMetadata {
        metadata(caller?.principal, account: caller?.accountID, impersonator: caller?.impersonatorID, context)
    }

    /// The same for a user who is not a caller yet (logging in, refreshing).
    static func metadata(user: UUID?, account: UUID?, _ context: CanopyContext) -> EventMetadata {
        metadata(user.map(Principal.user), account: account, impersonator: nil, context)
    }

    private static func metadata(_ principal: Principal?, account: UUID?, impersonator: UUID?, _ context: CanopyContext) -> EventMetadata {
        EventMetadata(
            actor: principal?.actor ?? "anonymous", actingAccountID: account,
            requestID: context.logger[metadataKey: RequestIDMiddleware<CanopyContext>.metadataKey].map { "\($0)" }, impersonatorID: impersonator
        )
    }

    /// A write's answer: the ids it made and the log position to read at (invariant 8).
    struct Written: Encodable {
        var id: UUID?
        var position: Int64
    }

    static func path(_ context: CanopyContext, _ name: String) throws -> UUID {
        guard let text = context.parameters.get(name), let id = UUID(hyphenated: text) else {
            throw APIError.notFound("\(name.dropLast(3)).not_found")  // group_id → group.not_found
        }
        return id
    }
}
