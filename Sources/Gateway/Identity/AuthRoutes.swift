import Core
import Foundation
import Hummingbird

/// Login, refresh, logout, the caller itself and its sessions, and the host's public branding.
extension IdentityAPI {
    struct LoginRequest: Decodable {
        var email: String
        var password: String
        var accountID: UUID?
    }

    struct RefreshRequest: Decodable {
        var refreshToken: String
    }

    struct PasswordChange: Decodable {
        var currentPassword: String
        var newPassword: String
    }

    struct TokenResponse: Encodable {
        var accessToken: String
        var tokenType = "Bearer"
        var expiresIn = Int(AccessTokens.lifetime.seconds)
        var refreshToken: String
        var userID: UUID
        var accountID: UUID
        var tenantID: UUID
        var position: Int64
    }

    struct SessionSummary: Encodable {
        var id: UUID
        var accountID: UUID
        var startedAt: Date
        var expiresAt: Date
        var current: Bool
    }

    struct Me: Encodable {
        var userID: UUID
        var email: String
        var name: String
        var account: AccountSummary
        var tenantID: UUID
        var impersonatorID: UUID?
    }

    struct PublicBranding: Encodable {
        var tenantID: UUID
        var domain: String
        var branding: TenantBranding
    }

    func registerAuth(on routes: SecuredRouter) {
        routes.on(.get, "tenant", .anonymous(reason: "the login page shows the domain's branding")) { _, context, _ in
            let tenant = context.tenant!
            return try JSONBody.response(PublicBranding(tenantID: tenant.id, domain: tenant.primaryDomain, branding: tenant.branding))
        }
        routes.on(.post, "auth/login", .anonymous(reason: "this is how a caller gets a token")) { request, context, _ in
            let body = try await JSONBody.decode(LoginRequest.self, from: request)
            return try await login(body, from: clientAddress(request, context), context: context)
        }
        routes.on(.post, "auth/refresh", .anonymous(reason: "the refresh token is the credential")) { request, context, _ in
            let body = try await JSONBody.decode(RefreshRequest.self, from: request)
            return try await refresh(body.refreshToken, context: context)
        }
        routes.on(.post, "auth/logout", .anonymous(reason: "the refresh token is the credential")) { request, context, _ in
            let body = try await JSONBody.decode(RefreshRequest.self, from: request)
            let now = Date()
            guard let session = RefreshTokens.session(of: body.refreshToken),
                  let user = view.read({ state in
                      state.sessions[session].flatMap { $0.tokenHash == RefreshTokens.hash(body.refreshToken) && now < $0.expiresAt ? $0.userID : nil }
                  }) else { throw APIError(SessionCommands.invalidToken) }
            let position = try await runner.run(Self.metadata(nil, context)) {
                try SessionCommands.revoke($0, sessionID: session, user: user, reason: "logout", now: now)
            }
            return try JSONBody.response(Written(id: session, position: position))
        }
        routes.on(.get, "me", .signedIn) { _, context, authorized in
            let caller = try authorized.signedIn, userID = try authorized.user
            guard let me = view.read({ state -> Me? in
                guard let user = state.users[userID], let account = state.directory.accounts[caller.accountID] else { return nil }
                return Me(userID: user.id, email: user.email, name: user.name, account: AccountSummary(account, state: state, viewer: caller.accountID),
                          tenantID: caller.tenantID, impersonatorID: caller.impersonatorID)
            }) else { throw APIError.notFound("user.not_found") }
            return try JSONBody.response(me)
        }
        routes.on(.put, "me/password", .signedIn) { request, context, authorized in
            let caller = try authorized.signedIn, user = try authorized.user
            let body = try await JSONBody.decode(PasswordChange.self, from: request)
            return try await changePassword(body, caller: caller, user: user, context: context)
        }
        routes.on(.get, "sessions", .signedIn) { _, _, authorized in
            let caller = try authorized.signedIn, user = try authorized.user
            let now = Date()
            let sessions = view.read { state -> [SessionSummary] in
                (state.sessionsOfUser[user] ?? []).compactMap { state.sessions[$0] }
                    .filter { $0.revoked == nil && $0.expiresAt > now }
                    .map { SessionSummary(id: $0.id, accountID: $0.accountID, startedAt: $0.startedAt, expiresAt: $0.expiresAt, current: $0.id == caller.sessionID) }
            }
            return try JSONBody.response(["sessions": sessions])
        }
        routes.on(.delete, "sessions/:session_id", .signedIn) { _, context, authorized in
            let caller = try authorized.signedIn, user = try authorized.user
            let session = try Self.path(context, "session_id")
            let position = try await runner.run(Self.metadata(caller, context)) {
                try SessionCommands.revoke($0, sessionID: session, user: user, reason: "revoked", now: Date())
            }
            return try JSONBody.response(Written(id: session, position: position))
        }
    }

    /// The signed-in user's own password, proving the current one (a token alone, stolen for its 15 minutes,
    /// must not turn into a password). Never through an impersonation or an API key. A wrong current
    /// password counts against the email's login limit, as a wrong login would.
    private func changePassword(_ body: PasswordChange, caller: Caller, user: UUID, context: CanopyContext) async throws -> Response {
        guard caller.impersonatorID == nil else {
            throw APIError(.forbidden, code: IdentityError.Code.impersonationNotAllowed.rawValue, message: "an impersonator cannot change the user's password")
        }
        guard let (email, hash) = view.read({ state in state.users[user].map { ($0.email, $0.passwordHash) } }) else { throw APIError.notFound("user.not_found") }
        do { try IdentityValidation.password(body.newPassword, field: "new_password") } catch { throw APIError(error) }
        guard try await limits.allow((configuration.loginPerEmail, email)) else {
            throw Self.tooManyAttempts
        }
        guard body.currentPassword.utf8.count <= 72, try await hasher.verify(body.currentPassword, against: hash) else {
            throw APIError(.forbidden, code: "auth.wrong_password", message: "the current password is wrong",
                           fields: ["current_password": "does not match"])
        }
        let newHash = try await hasher.hash(body.newPassword)
        let position = try await runner.run(Self.metadata(caller, context)) {
            try UserCommands.changePassword($0, user: user, passwordHash: newHash, keeping: caller.sessionID, now: Date())
        }
        return try JSONBody.response(Written(id: user, position: position))
    }

    private func login(_ body: LoginRequest, from address: String, context: CanopyContext) async throws -> Response {
        let tenant = context.tenant!
        let email = body.email.lowercased()
        guard try await limits.allow((configuration.loginPerIP, address), (configuration.loginPerEmail, email)) else {
            throw Self.tooManyAttempts
        }
        let userID = IdentityState.userID(forEmail: email)
        let hash = view.read { $0.users[userID]?.passwordHash }
        let failed = APIError(.unauthorized, code: "auth.invalid_credentials", message: "the email or the password is wrong, or there is no access here")
        guard body.password.utf8.count <= 72, try await hasher.verify(body.password, against: hash) else { throw failed }
        guard let accountID = loginAccount(user: userID, tenant: tenant.id, wanted: body.accountID) else { throw failed }
        return try await startSession(user: userID, account: accountID, tenant: tenant.id, method: "password", context: context) { _ in [] }
    }

    /// Where a user logs in on a tenant's domain: an account bound to that tenant, active, where the user has
    /// access; the one asked for, or the highest in the tree.
    func loginAccount(user: UUID, tenant: UUID, wanted: UUID?) -> UUID? {
        view.read { state -> UUID? in
            let candidates = (state.accountsOfUser[user] ?? []).compactMap { state.directory.accounts[$0] }
                .filter { $0.tenantID == tenant && state.directory.isActive($0.id) }
                .sorted { ($0.depth, $0.id.uuidString) < ($1.depth, $1.id.uuidString) }
            if let wanted { return candidates.contains { $0.id == wanted } ? wanted : nil }
            return candidates.first?.id
        }
    }

    /// A new session and its tokens, with whatever else the login spends (`also`, decided in the same run).
    func startSession(
        user: UUID, account: UUID, tenant: UUID, method: String, context: CanopyContext,
        also: @escaping (IdentityState) throws -> [IdentityEvent]
    ) async throws -> Response {
        let session = UUID.v7()
        let refreshToken = RefreshTokens.make(session: session)
        let lifetimes = configuration.lifetimes
        let position = try await runner.run(Self.metadata(user: user, account: account, context)) { state in
            try also(state) + SessionCommands.start(state, sessionID: session, user: user, account: account, tenant: tenant,
                                                    tokenHash: RefreshTokens.hash(refreshToken), method: method, now: Date(), lifetimes: lifetimes)
        }
        return try await tokenResponse(user: user, account: account, tenant: tenant, session: session, refreshToken: refreshToken, position: position)
    }

    private func refresh(_ token: String, context: CanopyContext) async throws -> Response {
        let tenant = context.tenant!
        guard let sessionID = RefreshTokens.session(of: token),
              let session = view.read({ $0.sessions[sessionID] }), session.tenantID == tenant.id else {
            throw APIError(SessionCommands.invalidToken)
        }
        let next = RefreshTokens.make(session: sessionID)
        let lifetimes = configuration.lifetimes
        let metadata = Self.metadata(user: session.userID, account: session.accountID, context)
        var reused = false
        let position = try await runner.run(metadata) { state in
            switch try SessionCommands.refresh(state, sessionID: sessionID, presentedHash: RefreshTokens.hash(token), newHash: RefreshTokens.hash(next),
                                               now: Date(), lifetimes: lifetimes) {
            case .rotated(let events):
                // The user must still have access to an active account: a refresh is a new decision.
                guard state.directory.isActive(session.accountID), state.grants[session.accountID]?[session.userID] != nil else {
                    throw SessionCommands.invalidToken
                }
                return events
            case .reuseDetected(let events):
                reused = true
                return events
            }
        }
        if reused { throw APIError(SessionCommands.invalidToken) }
        return try await tokenResponse(user: session.userID, account: session.accountID, tenant: tenant.id, session: sessionID, refreshToken: next, position: position)
    }

    private func tokenResponse(user: UUID, account: UUID, tenant: UUID, session: UUID, refreshToken: String, position: Int64) async throws -> Response {
        let access = try await tokens.issue(.init(
            userID: user, accountID: account, tenantID: tenant, sessionID: session,
            expiresAt: Date().addingTimeInterval(AccessTokens.lifetime.seconds), impersonatorID: nil
        ))
        return try JSONBody.response(TokenResponse(accessToken: access, refreshToken: refreshToken, userID: user, accountID: account, tenantID: tenant, position: position))
    }
}
