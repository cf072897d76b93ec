import Core
import Foundation
public import Hummingbird
import Projections

/// Before any API route: the Host decides the tenant (an unknown host gets a 404 that says nothing), and a
/// bearer credential, when there is one, must be valid for this very tenant: an access token issued for it
/// whose user still has access to an active account (or whose impersonation is still live), or an API key
/// of an active account bound to it.
public struct TenancyMiddleware: RouterMiddleware {
    public typealias Context = CanopyContext

    let view: IdentityView
    let tokens: AccessTokens
    /// Writes API keys' last use down.
    let runner: CommandRunner

    public func handle(_ request: Request, context: CanopyContext, next: (Request, CanopyContext) async throws -> Response) async throws -> Response {
        var context = context
        guard let host = Self.host(of: request), let tenant = view.read({ state in state.tenantByDomain[host].flatMap { state.tenants[$0] } }) else {
            throw APIError.notFound("route.not_found")
        }
        context.tenant = tenant
        if let authorization = request.headers[.authorization] {
            guard authorization.hasPrefix("Bearer ") else { throw APIError.invalidToken }
            let credential = String(authorization.dropFirst(7))
            let caller = ApiKeySecrets.isKey(credential)
                ? try await apiKeyCaller(credential, tenant: tenant.id, context: context)
                : try await tokenCaller(credential, tenant: tenant.id)
            context.caller = caller
            context.logger[metadataKey: "account_id"] = .string(caller.accountID.lowercasedString)
        }
        return try await next(request, context)
    }

    private func tokenCaller(_ token: String, tenant: UUID) async throws -> Caller {
        guard let claims = await tokens.verify(token), claims.tenantID == tenant else { throw APIError.invalidToken }
        let now = Date()
        let live = view.read { state in
            guard state.directory.isActive(claims.accountID) else { return false }
            if claims.impersonatorID != nil {
                // An impersonation token's session id is its impersonation; it lives as long as that does.
                guard let impersonation = claims.sessionID, state.impersonations[impersonation]?.impersonatorID == claims.impersonatorID else { return false }
                return ImpersonationCommands.isLive(state, impersonationID: impersonation, account: claims.accountID, now: now)
            }
            return state.grants[claims.accountID]?[claims.userID] != nil && claims.sessionID.map { state.sessions[$0]?.revoked == nil } ?? true
        }
        guard live else { throw APIError(.unauthorized, code: "auth.access_revoked", message: "this session can no longer act here") }
        return Caller(principal: .user(claims.userID), accountID: claims.accountID, tenantID: claims.tenantID,
                      sessionID: claims.sessionID, impersonatorID: claims.impersonatorID)
    }

    private func apiKeyCaller(_ credential: String, tenant: UUID, context: CanopyContext) async throws -> Caller {
        let now = Date()
        guard let id = ApiKeySecrets.id(of: credential),
              let key = view.read({ state in
                  ApiKeyCommands.authenticate(state, apiKeyID: id, secretHash: ApiKeySecrets.hash(credential), now: now)
                      .flatMap { state.directory.accounts[$0.accountID]?.tenantID == tenant ? $0 : nil }
              }) else { throw APIError.invalidToken }
        if key.lastUsedAt.map({ now.timeIntervalSince($0) >= ApiKeyCommands.usageGranularity.seconds }) ?? true {
            let metadata = EventMetadata(actor: Principal.apiKey(id).actor, actingAccountID: key.accountID,
                                         requestID: context.logger[metadataKey: RequestIDMiddleware<CanopyContext>.metadataKey].map { "\($0)" })
            _ = try await runner.run(metadata) { ApiKeyCommands.recordUse($0, apiKeyID: id, now: now) }
        }
        return Caller(principal: .apiKey(id), accountID: key.accountID, tenantID: tenant, sessionID: nil, impersonatorID: nil)
    }

    /// The Host header without port, lowercased, without a trailing dot.
    static func host(of request: Request) -> String? {
        guard var authority = request.head.authority else { return nil }
        if authority.hasPrefix("[") { return nil }  // IPv6 literals are not tenant domains
        if let colon = authority.lastIndex(of: ":") { authority = String(authority[..<colon]) }
        authority = authority.lowercased()
        if authority.hasSuffix(".") { authority.removeLast() }
        return authority.isEmpty ? nil : authority
    }
}

extension APIError {
    static let invalidToken = APIError(.unauthorized, code: "auth.invalid_token", message: "the access token is not valid")
}
