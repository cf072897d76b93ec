public import Foundation

/// The platform was set up, with this master account: the one event of the platform's stream, so two
/// bootstraps racing (two processes, two configured domains) meet on it and only one makes a master.
public struct PlatformBootstrapped: IdentityPayload {
    public static let type = "platform.bootstrapped"
    public var masterAccountID: UUID
}

public struct AccountCreated: IdentityPayload {
    public static let type = "account.created"
    public var accountID: UUID
    /// Nil only for the master account. Never shown to the account itself.
    public var parentID: UUID?
    public var name: String
    public var roles: [AccountRole]
    public var tenantID: UUID
    public var ownerUserID: UUID

    public init(accountID: UUID, parentID: UUID?, name: String, roles: [AccountRole], tenantID: UUID, ownerUserID: UUID) {
        self.accountID = accountID
        self.parentID = parentID
        self.name = name
        self.roles = roles
        self.tenantID = tenantID
        self.ownerUserID = ownerUserID
    }
}

public struct AccountSuspended: IdentityPayload {
    public static let type = "account.suspended"
    public var accountID: UUID
    /// The ancestor that suspended it.
    public var byAccountID: UUID
}

public struct AccountReactivated: IdentityPayload {
    public static let type = "account.reactivated"
    public var accountID: UUID
    public var byAccountID: UUID
}

public struct GroupCreated: IdentityPayload {
    public static let type = "account.group_created"
    public var groupID: UUID
    public var accountID: UUID
    public var name: String
    public var permissions: [ScopedPermission]
    /// Which predefined group this is (`admin`, `manager`, `agent`, `super_admin`), nil for a custom one.
    public var predefined: String?
}

/// A permission with how far it reaches; a list of these (not a map) on the wire, because a map's keys
/// would go through the snake_case key conversion.
public struct ScopedPermission: Codable, Sendable, Hashable {
    public var permission: Permission
    public var scope: PermissionScope

    public init(permission: Permission, scope: PermissionScope) {
        self.permission = permission
        self.scope = scope
    }
}

public struct GroupRenamed: IdentityPayload {
    public static let type = "account.group_renamed"
    public var groupID: UUID
    public var accountID: UUID
    public var name: String
}

/// A user's groups in an account; a later grant replaces the earlier one.
public struct AccessGranted: IdentityPayload {
    public static let type = "account.access_granted"
    public var accountID: UUID
    public var userID: UUID
    public var groupIDs: [UUID]
}

public struct AccessRevoked: IdentityPayload {
    public static let type = "account.access_revoked"
    public var accountID: UUID
    public var userID: UUID
}
