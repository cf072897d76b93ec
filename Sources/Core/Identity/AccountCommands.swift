public import Foundation

/// Commands on the account tree, decided without I/O: given the state, a command gives the events to
/// append or an `IdentityError`, and changes nothing. Who may issue them (permissions) is the gateway's
/// one access check; what the tree itself allows (roles, tenants, suspension) is decided here.
public enum AccountCommands {
    /// Who owns a new account: an existing user (by email) is linked, a new one registered.
    public struct Owner: Sendable, Hashable {
        public var email: String
        public var name: String
        /// bcrypt, made by the caller; only used when the user is new.
        public var passwordHash: String?
        /// E.164; only used when the user is new.
        public var phone: String?

        public init(email: String, name: String, passwordHash: String?, phone: String? = nil) {
            self.email = email
            self.name = name
            self.passwordHash = passwordHash
            self.phone = phone
        }
    }

    /// The master account, its platform tenant and first user (a Super Admin): the tree's root, once.
    public static func bootstrap(
        _ state: IdentityState, accountID: UUID, name: String, platformDomain: String, owner: Owner, branding: TenantBranding? = nil,
        makeID: () -> UUID = { .v7() }
    ) throws(IdentityError) -> [IdentityEvent] {
        guard state.directory.accounts.isEmpty else { throw IdentityError(.alreadyExists, "the master account exists already") }
        try IdentityValidation.name(name)
        let domain = try IdentityValidation.host(platformDomain, field: "platform_domain")
        let tenantID = IdentityState.tenantID(forDomain: domain)
        // First, on the platform's stream: a bootstrap decided on a state that missed another one conflicts here.
        var events: [IdentityEvent] = [.platformBootstrapped(PlatformBootstrapped(masterAccountID: accountID)), .tenantCreated(TenantCreated(
            tenantID: tenantID, ownerAccountID: accountID, primaryDomain: domain, branding: branding ?? TenantBranding(displayName: name)
        ))]
        let (ownerID, registration) = try owned(state, by: owner, in: accountID)
        events += registration
        events.append(.accountCreated(AccountCreated(
            accountID: accountID, parentID: nil, name: name, roles: AccountRole.allCases, tenantID: tenantID, ownerUserID: ownerID
        )))
        events += predefinedGroups(for: accountID, master: true, makeID: makeID, ownerID: ownerID)
        return events
    }

    /// A sub-account of `parentID`, bound to the parent's tenant or one the parent owns, with roles the
    /// parent may pass on; its owner gets its Admin group.
    public static func createSubAccount(
        _ state: IdentityState, parent parentID: UUID, accountID: UUID, name: String, roles: Set<AccountRole>,
        tenantID: UUID?, owner: Owner, makeID: () -> UUID = { .v7() }
    ) throws(IdentityError) -> [IdentityEvent] {
        let directory = state.directory
        guard let parent = directory.accounts[parentID] else { throw notFound(parentID) }
        try IdentityValidation.name(name)
        guard directory.isActive(parentID) else { throw IdentityError(.accountSuspended, "the account or one above it is suspended") }
        guard parent.roles.contains(.accountAdmin) else {
            throw IdentityError(.roleRequired, "creating sub-accounts takes the Account Admin role")
        }
        guard directory.accounts[accountID] == nil else { throw IdentityError(.alreadyExists, "an account with this id exists") }
        for role in roles.sorted(by: { $0.rawValue < $1.rawValue }) where !parent.roles.contains(role.requiredOfParent) {
            throw IdentityError(.roleNotGrantable, "giving \(role.rawValue) takes \(role.requiredOfParent.rawValue)", fields: ["roles": role.rawValue])
        }
        let tenantID = tenantID ?? parent.tenantID
        guard tenantID == parent.tenantID || directory.tenantOwners[tenantID] == parentID else {
            throw IdentityError(.tenantNotUsable, "a sub-account is bound to the creator's tenant or one the creator owns", fields: ["tenant_id": "not usable"])
        }
        let (ownerID, registration) = try owned(state, by: owner, in: accountID)
        return registration + [.accountCreated(AccountCreated(
            accountID: accountID, parentID: parentID, name: name, roles: roles.sorted { $0.rawValue < $1.rawValue },
            tenantID: tenantID, ownerUserID: ownerID
        ))] + predefinedGroups(for: accountID, master: false, makeID: makeID, ownerID: ownerID)
    }

    /// An ancestor suspends a sub-account (never itself): nothing below it logs in or acts until reactivated.
    public static func suspend(_ state: IdentityState, by actorID: UUID, account accountID: UUID) throws(IdentityError) -> [IdentityEvent] {
        let account = try subAccount(state.directory, by: actorID, account: accountID)
        guard !account.suspended else { return [] }  // already: nothing to record
        return [.accountSuspended(AccountSuspended(accountID: accountID, byAccountID: actorID))]
    }

    public static func reactivate(_ state: IdentityState, by actorID: UUID, account accountID: UUID) throws(IdentityError) -> [IdentityEvent] {
        let account = try subAccount(state.directory, by: actorID, account: accountID)
        guard account.suspended else { throw IdentityError(.accountNotSuspended, "the account is not suspended") }
        return [.accountReactivated(AccountReactivated(accountID: accountID, byAccountID: actorID))]
    }

    /// The owner's id, and its registration when the email is new.
    static func owned(_ state: IdentityState, by owner: Owner, in accountID: UUID) throws(IdentityError) -> (UUID, [IdentityEvent]) {
        let email = try IdentityValidation.email(owner.email, field: "owner_email")
        let userID = IdentityState.userID(forEmail: email)
        if state.users[userID] != nil { return (userID, []) }
        try IdentityValidation.name(owner.name, field: "owner_name")
        let phone = try owner.phone.map { phone throws(IdentityError) in try IdentityValidation.phone(phone, field: "phone") }
        if let phone, state.userByPhone[phone] != nil { throw IdentityError(.phoneTaken, "another user has this phone number", fields: ["phone": "taken"]) }
        let claim = phone.map { [IdentityEvent.userPhoneClaimed(UserPhoneClaimed(userID: userID, accountID: accountID, phone: $0, claim: state.claim(ofPhone: $0)))] }
        return (userID, (claim ?? []) + [.userRegistered(UserRegistered(
            userID: userID, accountID: accountID, email: email, name: owner.name, passwordHash: owner.passwordHash, phone: phone
        ))])
    }

    /// Admin, Manager and Agent in every account, Super Admin in the master too; the owner is granted the
    /// highest.
    static func predefinedGroups(for accountID: UUID, master: Bool, makeID: () -> UUID, ownerID: UUID) -> [IdentityEvent] {
        let templates: [(String, PermissionGroup)] = (master ? [("super_admin", .superAdmin)] : [])
            + [("admin", .admin), ("manager", .manager), ("agent", .agent)]
        let created = templates.map { key, template in
            GroupCreated(
                groupID: makeID(), accountID: accountID, name: template.name,
                permissions: template.permissions.map { ScopedPermission(permission: $0.key, scope: $0.value) }
                    .sorted { $0.permission.rawValue < $1.permission.rawValue },
                predefined: key
            )
        }
        return created.map(IdentityEvent.groupCreated)
            + [.accessGranted(AccessGranted(accountID: accountID, userID: ownerID, groupIDs: [created[0].groupID]))]
    }

    /// A strict descendant of an active actor. Anything else is "not found": an account never learns about
    /// accounts above or beside it.
    private static func subAccount(_ directory: AccountDirectory, by actorID: UUID, account accountID: UUID) throws(IdentityError) -> AccountDirectory.Account {
        guard directory.accounts[actorID] != nil, let account = directory.accounts[accountID],
              directory.isWithin(accountID, of: actorID) else { throw notFound(accountID) }
        guard accountID != actorID else { throw IdentityError(.notASubAccount, "an account does not suspend or reactivate itself") }
        guard directory.isActive(actorID) else { throw IdentityError(.accountSuspended, "the acting account or one above it is suspended") }
        return account
    }

    static func notFound(_ id: UUID) -> IdentityError {
        IdentityError(.accountNotFound, "no account \(id.lowercasedString) here")
    }
}
