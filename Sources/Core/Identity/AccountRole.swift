/// What an account may do, given by its parent at creation and never beyond what the parent holds.
public enum AccountRole: String, Codable, CaseIterable, Sendable, Hashable {
    /// Creates and manages tenants; they serve its sub-accounts, never itself.
    case tenantAdmin = "tenant_admin"
    /// Creates sub-accounts.
    case accountAdmin = "account_admin"
    /// Its sub-accounts may be Account Admins.
    case subAccountAdmin = "sub_account_admin"
    /// Its sub-accounts may be Tenant Admins.
    case subAccountTenant = "sub_account_tenant"
    /// Creates users, grants access, manages groups and permissions.
    case userAdmin = "user_admin"
    /// Manages automations.
    case automationManager = "automation_manager"

    /// The role a parent must hold to give this one to a sub-account: Account Admin and Tenant Admin are
    /// passed on through the Sub-account roles; every other role only by a parent that holds it.
    public var requiredOfParent: AccountRole {
        switch self {
        case .accountAdmin: .subAccountAdmin
        case .tenantAdmin: .subAccountTenant
        default: self
        }
    }
}
