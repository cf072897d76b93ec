public import Foundation

/// Commands on the account tree, decided without I/O: given the directory, a command gives the events to
/// append or an `IdentityError`, and changes nothing.
public enum AccountCommands {
    /// The master account and its platform tenant: the tree's root, once.
    public static func bootstrap(
        _ directory: AccountDirectory, accountID: UUID, name: String, tenantID: UUID, ownerUserID: UUID
    ) throws(IdentityError) -> [AccountEvent] {
        guard directory.accounts.isEmpty else { throw IdentityError(.alreadyExists, "the master account exists already") }
        try validate(name: name)
        return [.created(AccountCreated(
            accountID: accountID, parentID: nil, name: name, roles: AccountRole.allCases, tenantID: tenantID, ownerUserID: ownerUserID
        ))]
    }

    /// `creator` makes a sub-account of itself, bound to its own tenant or one it owns, with roles it may
    /// pass on.
    public static func createSubAccount(
        _ directory: AccountDirectory, creator creatorID: UUID, accountID: UUID, name: String, roles: Set<AccountRole>,
        tenantID: UUID, ownerUserID: UUID
    ) throws(IdentityError) -> [AccountEvent] {
        guard let creator = directory.accounts[creatorID] else { throw notFound(creatorID) }
        guard directory.isActive(creatorID) else { throw IdentityError(.accountSuspended, "the account or one above it is suspended") }
        guard creator.roles.contains(.accountAdmin) else {
            throw IdentityError(.roleRequired, "creating sub-accounts takes the Account Admin role")
        }
        guard directory.accounts[accountID] == nil else { throw IdentityError(.alreadyExists, "an account with this id exists") }
        try validate(name: name)
        for role in roles.sorted(by: { $0.rawValue < $1.rawValue }) where !creator.roles.contains(role.requiredOfParent) {
            throw IdentityError(.roleNotGrantable, "giving \(role.rawValue) takes \(role.requiredOfParent.rawValue)")
        }
        guard tenantID == creator.tenantID || directory.tenantOwners[tenantID] == creatorID else {
            throw IdentityError(.tenantNotUsable, "a sub-account is bound to the creator's tenant or one the creator owns")
        }
        return [.created(AccountCreated(
            accountID: accountID, parentID: creatorID, name: name, roles: roles.sorted { $0.rawValue < $1.rawValue },
            tenantID: tenantID, ownerUserID: ownerUserID
        ))]
    }

    /// An ancestor suspends a sub-account (never itself): nothing below it logs in or acts until reactivated.
    public static func suspend(_ directory: AccountDirectory, by actorID: UUID, account accountID: UUID) throws(IdentityError) -> [AccountEvent] {
        let account = try subAccount(directory, by: actorID, account: accountID)
        guard !account.suspended else { return [] }  // already: nothing to record
        return [.suspended(AccountSuspended(accountID: accountID, byAccountID: actorID))]
    }

    public static func reactivate(_ directory: AccountDirectory, by actorID: UUID, account accountID: UUID) throws(IdentityError) -> [AccountEvent] {
        let account = try subAccount(directory, by: actorID, account: accountID)
        guard account.suspended else { throw IdentityError(.accountNotSuspended, "the account is not suspended") }
        return [.reactivated(AccountReactivated(accountID: accountID, byAccountID: actorID))]
    }

    /// A strict descendant of an active actor. Anything else is "not found": an account never learns about
    /// accounts above or beside it.
    private static func subAccount(_ directory: AccountDirectory, by actorID: UUID, account accountID: UUID) throws(IdentityError) -> AccountDirectory.Account {
        guard directory.accounts[actorID] != nil, let account = directory.accounts[accountID],
              accountID != actorID, directory.isWithin(accountID, of: actorID) else { throw notFound(accountID) }
        guard directory.isActive(actorID) else { throw IdentityError(.accountSuspended, "the acting account or one above it is suspended") }
        return account
    }

    private static func notFound(_ id: UUID) -> IdentityError {
        IdentityError(.accountNotFound, "no account \(id.lowercasedString) here")
    }

    private static func validate(name: String) throws(IdentityError) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed == name, name.count <= 120, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw IdentityError(.invalidName, "an account name is 1-120 characters, no control characters, no surrounding spaces")
        }
    }
}
