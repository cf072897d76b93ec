import Core
public import Hummingbird
import Projections

/// Before any API route: the Host decides the tenant (an unknown host gets a 404 that says nothing), and a
/// bearer token, when there is one, must be valid, issued for this very tenant, and its user must still
/// have access to an active account.
public struct TenancyMiddleware: RouterMiddleware {
    public typealias Context = CanopyContext

    let view: IdentityView
    let tokens: AccessTokens

    public func handle(_ request: Request, context: CanopyContext, next: (Request, CanopyContext) async throws -> Response) async throws -> Response {
        var context = context
        guard let host = Self.host(of: request), let tenant = view.read({ state in state.tenantByDomain[host].flatMap { state.tenants[$0] } }) else {
            throw APIError.notFound("route.not_found")
        }
        context.tenant = tenant
        if let authorization = request.headers[.authorization] {
            guard authorization.hasPrefix("Bearer "), let claims = await tokens.verify(String(authorization.dropFirst(7))) else {
                throw APIError(.unauthorized, code: "auth.invalid_token", message: "the access token is not valid")
            }
            guard claims.tenantID == tenant.id else {
                throw APIError(.unauthorized, code: "auth.invalid_token", message: "the access token is not valid")
            }
            let active = view.read { state in
                state.directory.isActive(claims.accountID)
                    && (claims.impersonatorID != nil || state.grants[claims.accountID]?[claims.userID] != nil)
                    && claims.sessionID.map { state.sessions[$0]?.revoked == nil } ?? true
            }
            guard active else { throw APIError(.unauthorized, code: "auth.access_revoked", message: "this session can no longer act here") }
            context.caller = Caller(userID: claims.userID, accountID: claims.accountID, tenantID: claims.tenantID,
                                    sessionID: claims.sessionID, impersonatorID: claims.impersonatorID)
            context.logger[metadataKey: "account_id"] = .string(claims.accountID.lowercasedString)
        }
        return try await next(request, context)
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
