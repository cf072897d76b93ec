public import Core
public import HTTPTypes

/// What a route needs of its caller. Every route declares one; `SecuredRouter` is the only way to add a
/// route under `/api/v1`, so a route without a declaration cannot exist (invariant 6).
public enum Access: Sendable, Hashable {
    /// No caller (logging in, refreshing, the tenant's public branding). The reason is documentation.
    case anonymous(reason: String)
    /// Any signed-in caller, touching only what is its own (itself, its sessions).
    case signedIn
    /// The caller's groups in its acting account must hold the permission on the account the resource is
    /// bound to, which must be the acting account or below it.
    case permission(Permission, on: ResourceBinding)
}

/// How a route finds the account its resource is bound to.
public enum ResourceBinding: Sendable, Hashable {
    /// The path parameter is the account.
    case account(parameter: String)
    /// The path parameter is a tenant; it is bound to its owner account.
    case tenant(parameter: String)

    public var parameter: String {
        switch self {
        case .account(let parameter), .tenant(let parameter): parameter
        }
    }

    /// The error code of "missing", which is also the answer for "out of reach".
    public var notFoundCode: String {
        switch self {
        case .account: "account.not_found"
        case .tenant: "tenant.not_found"
        }
    }

    /// The bound account, if the resource exists.
    public func accountID(_ raw: String?, in state: IdentityState) -> UUID? {
        guard let raw, let id = UUID(hyphenated: raw) else { return nil }
        switch self {
        case .account: return state.directory.accounts[id] != nil ? id : nil
        case .tenant: return state.tenants[id]?.ownerAccountID
        }
    }
}

/// One registered route, as the enumeration test and the docs see it.
public struct RouteDeclaration: Sendable, Hashable {
    public var method: HTTPRequest.Method
    /// Hummingbird's pattern, `/api/v1/accounts/:account_id`.
    public var path: String
    public var access: Access
}

public import struct Foundation.UUID
