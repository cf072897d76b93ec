public import Foundation

/// What deciding an account command needs to know of the tree: each account's parent, status, roles and
/// tenant, and each tenant's owner. Built by folding identity events; pure.
public struct AccountDirectory: Sendable, Hashable, Codable {
    public struct Account: Sendable, Hashable, Codable {
        public var id: UUID
        /// Nil only for the master account.
        public var parentID: UUID?
        public var name: String
        public var roles: Set<AccountRole>
        public var tenantID: UUID
        public var suspended: Bool
        public var ownerUserID: UUID
        /// How many accounts lie above it.
        public var depth: Int
    }

    public private(set) var accounts: [UUID: Account] = [:]
    /// Tenant → the account that owns it.
    public private(set) var tenantOwners: [UUID: UUID] = [:]
    /// Account → its direct sub-accounts, in creation order.
    public private(set) var children: [UUID: [UUID]] = [:]

    public init() {}

    public init(_ events: [IdentityEvent]) {
        self.init()
        for event in events { apply(event) }
    }

    public mutating func apply(_ event: IdentityEvent) {
        switch event {
        case .accountCreated(let created):
            accounts[created.accountID] = Account(
                id: created.accountID, parentID: created.parentID, name: created.name, roles: Set(created.roles),
                tenantID: created.tenantID, suspended: false, ownerUserID: created.ownerUserID,
                depth: created.parentID.flatMap { accounts[$0].map { $0.depth + 1 } } ?? 0
            )
            if let parent = created.parentID { children[parent, default: []].append(created.accountID) }
            if created.parentID == nil { tenantOwners[created.tenantID] = created.accountID }
        case .tenantCreated(let tenant):
            tenantOwners[tenant.tenantID] = tenant.ownerAccountID
        case .accountSuspended(let suspended):
            accounts[suspended.accountID]?.suspended = true
        case .accountReactivated(let reactivated):
            accounts[reactivated.accountID]?.suspended = false
        case .platformBootstrapped, .groupCreated, .groupRenamed, .accessGranted, .accessRevoked, .userRegistered, .tenantBrandingChanged,
             .sessionStarted, .sessionRefreshed, .sessionRevoked, .impersonationStarted, .impersonationEnded,
             .apiKeyCreated, .apiKeyUsed, .apiKeyRevoked, .smsCodeIssued, .smsCodeFailed, .smsCodeUsed,
             .tenantLogoUploaded, .tenantBrandingDrafted, .tenantBrandingActivated, .tenantFieldsDelegated, .tenantDomainAdded, .tenantDomainRemoved,
             .userProfileChanged, .userPhoneClaimed, .userPhoneReleased, .userPasswordChanged:
            break
        }
    }

    /// From the account up to the master, the account itself first; empty for an unknown account.
    public func path(from id: UUID) -> [Account] {
        var path: [Account] = []
        var next: UUID? = id
        while let current = next, let account = accounts[current], path.count <= accounts.count {
            path.append(account)
            next = account.parentID
        }
        return path
    }

    /// The account and everything below it, depth first.
    public func subtree(of id: UUID) -> [UUID] {
        guard accounts[id] != nil else { return [] }
        var result: [UUID] = [], stack = [id]
        while let next = stack.popLast() {
            result.append(next)
            stack.append(contentsOf: (children[next] ?? []).reversed())
        }
        return result
    }

    /// Whether `descendant` is `ancestor` or lies below it.
    public func isWithin(_ descendant: UUID, of ancestor: UUID) -> Bool {
        path(from: descendant).contains { $0.id == ancestor }
    }

    /// Active means: it and every account above it are not suspended.
    public func isActive(_ id: UUID) -> Bool {
        let path = path(from: id)
        return !path.isEmpty && path.allSatisfy { !$0.suspended }
    }
}
