/// The fixed catalog of permissions. Only groups carry them; a grant gives a user groups in an account.
public enum Permission: String, Codable, CaseIterable, Sendable, Hashable {
    case accountsRead = "accounts.read"
    case accountsCreate = "accounts.create"
    case accountsSuspend = "accounts.suspend"
    case tenantsRead = "tenants.read"
    case tenantsManage = "tenants.manage"
    case usersRead = "users.read"
    case usersEdit = "users.edit"
    case usersGrant = "users.grant"
    case groupsManage = "groups.manage"
    case apiKeysManage = "api_keys.manage"
    case automationsRead = "automations.read"
    case automationsManage = "automations.manage"
    case runsRead = "runs.read"
    case attendancesRead = "attendances.read"
    case attendancesIngest = "attendances.ingest"
    case funnelsRead = "funnels.read"
    case notificationsRead = "notifications.read"
    case statsRead = "stats.read"
    /// Acting as another account's admin (impersonation): the master account's Super Admin only.
    case impersonate = "platform.impersonate"
}

/// How far a group's permission reaches from the account the user acts in.
public enum PermissionScope: String, Codable, Sendable, Hashable, Comparable {
    /// Resources the user owns, in the acting account.
    case own
    /// Every resource of the acting account.
    case account
    /// The acting account and every account below it.
    case subtree

    public static func < (lhs: Self, rhs: Self) -> Bool {
        let order: [Self] = [.own, .account, .subtree]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

/// A group: named permissions with their scope. Every account starts with Admin, Manager and Agent; Super
/// Admin exists only in the master account.
public struct PermissionGroup: Sendable, Hashable {
    public var name: String
    public var permissions: [Permission: PermissionScope]

    public static let superAdmin = PermissionGroup(
        name: "Super Admin", permissions: Dictionary(uniqueKeysWithValues: Permission.allCases.map { ($0, .subtree) })
    )
    public static let admin = PermissionGroup(
        name: "Admin", permissions: Dictionary(uniqueKeysWithValues: Permission.allCases.filter { $0 != .impersonate }.map { ($0, .subtree) })
    )
    /// Fasto's Manager: the account's data, users' basic data but not their groups.
    public static let manager = PermissionGroup(name: "Manager", permissions: [
        .accountsRead: .account, .usersRead: .account, .usersEdit: .account, .automationsRead: .account, .runsRead: .account,
        .attendancesRead: .account, .funnelsRead: .account, .notificationsRead: .account, .statsRead: .account,
    ])
    /// Fasto's Agent: only its own data.
    public static let agent = PermissionGroup(name: "Agent", permissions: [
        .attendancesRead: .own, .funnelsRead: .own, .notificationsRead: .own,
    ])
}
