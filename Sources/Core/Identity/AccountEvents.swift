public import Foundation

/// Events of the account tree, as the log holds them (`account.created`, ...).
public enum AccountEvent: Sendable, Hashable {
    case created(AccountCreated)
    case tenantCreated(TenantCreated)
    case suspended(AccountSuspended)
    case reactivated(AccountReactivated)

    public var type: String {
        switch self {
        case .created: AccountCreated.type
        case .tenantCreated: TenantCreated.type
        case .suspended: AccountSuspended.type
        case .reactivated: AccountReactivated.type
        }
    }
}

public struct AccountCreated: Codable, Sendable, Hashable {
    public static let type = "account.created"
    public var accountID: UUID
    /// Nil only for the master account.
    public var parentID: UUID?
    public var name: String
    public var roles: [AccountRole]
    public var tenantID: UUID
    public var ownerUserID: UUID
}

public struct TenantCreated: Codable, Sendable, Hashable {
    public static let type = "tenant.created"
    public var tenantID: UUID
    public var ownerAccountID: UUID
    public var primaryDomain: String
}

public struct AccountSuspended: Codable, Sendable, Hashable {
    public static let type = "account.suspended"
    public var accountID: UUID
    /// The ancestor that suspended it.
    public var byAccountID: UUID
}

public struct AccountReactivated: Codable, Sendable, Hashable {
    public static let type = "account.reactivated"
    public var accountID: UUID
    public var byAccountID: UUID
}
