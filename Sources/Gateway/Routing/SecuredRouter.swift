import Core
public import Hummingbird
public import HTTPTypes
import Projections

/// What the access check found: the caller (nil only on anonymous routes) and, on permission routes, the
/// account the resource is bound to.
public struct Authorized: Sendable {
    public var caller: Caller?
    public var accountID: UUID?

    /// The caller of a route that requires one.
    public var signedIn: Caller {
        get throws(APIError) {
            guard let caller else { throw .unauthenticated }
            return caller
        }
    }

    /// The user of a route only people use (their sessions, impersonation, minting keys): API keys are refused.
    public var user: UUID {
        get throws(APIError) {
            guard let user = try signedIn.userID else { throw .userRequired }
            return user
        }
    }

    public var resourceAccountID: UUID {
        get throws(APIError) {
            guard let accountID else { throw APIError(.internalServerError, code: "internal", message: "route without a bound account") }
            return accountID
        }
    }
}

/// The only way to add an API route: each comes with its `Access`, which is checked before its handler
/// runs, on every request, against the identity view (the one authorization check).
public final class SecuredRouter {
    public typealias Handler = @Sendable (Request, CanopyContext, Authorized) async throws -> Response

    private let group: RouterGroup<CanopyContext>
    private let prefix: String
    private let view: IdentityView
    private let idempotency: IdempotentWrite
    private let timeAuthorization: (@Sendable (Duration) -> Void)?
    public private(set) var declarations: [RouteDeclaration] = []

    init(group: RouterGroup<CanopyContext>, prefix: String, view: IdentityView, idempotency: IdempotencyStore,
         timeAuthorization: (@Sendable (Duration) -> Void)?) {
        self.group = group
        self.prefix = prefix
        self.view = view
        self.idempotency = IdempotentWrite(store: idempotency)
        self.timeAuthorization = timeAuthorization
    }

    public func on(_ method: HTTPRequest.Method, _ path: String, _ access: Access, handler: @escaping Handler) {
        declarations.append(RouteDeclaration(method: method, path: prefix + "/" + path, access: access))
        let view = view
        let idempotency: IdempotentWrite? = IdempotentWrite.methods.contains(method) ? idempotency : nil
        let timeAuthorization = timeAuthorization
        group.on(RouterPath(path), method: method) { request, context in
            let authorized: Authorized
            if let timeAuthorization {
                let start = ContinuousClock.now
                defer { timeAuthorization(ContinuousClock.now - start) }
                authorized = try Self.authorize(access, context: context, view: view)
            } else {
                authorized = try Self.authorize(access, context: context, view: view)
            }
            if let idempotency, let caller = authorized.caller, let key = request.headers[IdempotentWrite.header] {
                return try await idempotency.run(request, caller: caller, key: key) { try await handler($0, context, authorized) }
            }
            return try await handler(request, context, authorized)
        }
    }

    static func authorize(_ access: Access, context: CanopyContext, view: IdentityView) throws(APIError) -> Authorized {
        switch access {
        case .anonymous:
            return Authorized(caller: context.caller, accountID: nil)
        case .signedIn:
            guard let caller = context.caller else { throw .unauthenticated }
            return Authorized(caller: caller, accountID: nil)
        case .permission(let permission, let binding):
            guard let caller = context.caller else { throw .unauthenticated }
            let raw = context.parameters.get(binding.parameter)
            let decision: (allowed: Bool, visible: Bool, account: UUID?) = view.read { state in
                guard let account = binding.accountID(raw, in: state) else { return (false, false, nil) }
                let resource = AccessCheck.Resource(accountID: account)
                if state.allows(caller.principal, actingIn: caller.accountID, permission, on: resource) { return (true, true, account) }
                return (false, state.allows(caller.principal, actingIn: caller.accountID, .accountsRead, on: resource), account)
            }
            if decision.allowed { return Authorized(caller: caller, accountID: decision.account) }
            // Out of reach and missing answer alike; a caller who may see the account learns only that it
            // may not do this.
            if decision.visible { throw APIError(.forbidden, code: "permission.denied", message: "your groups do not allow this here") }
            throw APIError.notFound(binding.notFoundCode)
        }
    }
}

extension APIError {
    static let userRequired = APIError(.forbidden, code: "auth.user_required", message: "an API key cannot do this; sign in as a user")
    static let unauthenticated = APIError(.unauthorized, code: "auth.unauthenticated", message: "sign in first: Authorization: Bearer <access token>")

    /// The one body for "missing" and "out of your reach".
    static func notFound(_ code: String) -> APIError {
        APIError(.notFound, code: code, message: "not found")
    }
}

public import struct Foundation.UUID
