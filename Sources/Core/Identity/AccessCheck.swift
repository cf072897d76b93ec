public import Foundation

/// The one authorization rule: a user acting in account A may use permission P on a resource bound to
/// account R when R is A or below A, A and every account above it are active, and one of the user's groups
/// in A holds P with a scope that reaches R (and, for `own`, the resource is the user's).
///
/// A suspended account between A and R (or R itself) stops everything below it, except what an ancestor
/// needs to see and lift the suspension (`accounts.read`, `accounts.suspend`).
public enum AccessCheck {
    public struct Resource: Sendable, Hashable {
        public var accountID: UUID
        /// The user a resource belongs to, for `own`-scoped permissions (nil: nobody's in particular).
        public var ownerUserID: UUID?

        public init(accountID: UUID, ownerUserID: UUID? = nil) {
            self.accountID = accountID
            self.ownerUserID = ownerUserID
        }
    }

    public static func allows(
        _ directory: AccountDirectory, user: UUID?, groups: [PermissionGroup], actingIn acting: UUID,
        permission: Permission, on resource: Resource
    ) -> Bool {
        guard directory.isActive(acting), directory.isWithin(resource.accountID, of: acting) else { return false }
        if !directory.isActive(resource.accountID), ![.accountsRead, .accountsSuspend].contains(permission) { return false }
        return groups.contains { group in
            switch group.permissions[permission] {
            case .subtree: true
            case .account: resource.accountID == acting
            case .own: resource.accountID == acting && user != nil && resource.ownerUserID == user
            case nil: false
            }
        }
    }
}
