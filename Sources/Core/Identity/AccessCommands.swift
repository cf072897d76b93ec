public import Foundation

/// Users, groups and grants inside an account. The acting account must hold the User Admin role; the
/// account acted on is the acting one or below it (the gateway's access check has made sure of that).
public enum AccessCommands {
    /// Gives a user groups in an account, registering the user first when the email is new (users are
    /// global: an account links an existing one, it never owns or deletes it).
    public static func addUser(
        _ state: IdentityState, actingIn acting: UUID, by actor: UUID? = nil, account accountID: UUID, email: String, name: String,
        passwordHash: String?, phone: String? = nil, groupIDs: [UUID]
    ) throws(IdentityError) -> [IdentityEvent] {
        try requireUserAdmin(state, acting)
        let (userID, registration) = try AccountCommands.owned(
            state, by: AccountCommands.Owner(email: email, name: name, passwordHash: passwordHash, phone: phone), in: accountID
        )
        try refuseSelf(userID, actor)
        return registration + (try grant(state, account: accountID, user: userID, groupIDs: groupIDs, registering: !registration.isEmpty))
    }

    /// Replaces a user's groups in an account.
    public static func grantAccess(
        _ state: IdentityState, actingIn acting: UUID, by actor: UUID? = nil, account accountID: UUID, user userID: UUID, groupIDs: [UUID]
    ) throws(IdentityError) -> [IdentityEvent] {
        try requireUserAdmin(state, acting)
        try refuseSelf(userID, actor)
        return try grant(state, account: accountID, user: userID, groupIDs: groupIDs, registering: false)
    }

    /// Takes a user's access to an account away; the account's owner keeps theirs.
    public static func revokeAccess(
        _ state: IdentityState, actingIn acting: UUID, by actor: UUID? = nil, account accountID: UUID, user userID: UUID
    ) throws(IdentityError) -> [IdentityEvent] {
        try requireUserAdmin(state, acting)
        try refuseSelf(userID, actor)
        guard let account = state.directory.accounts[accountID] else { throw AccountCommands.notFound(accountID) }
        guard state.grants[accountID]?[userID] != nil else { throw IdentityError(.userNotFound, "no such user in this account") }
        guard account.ownerUserID != userID else {
            throw IdentityError(.ownerAccess, "the account's owner keeps access to it")
        }
        return [.accessRevoked(AccessRevoked(accountID: accountID, userID: userID))]
    }

    /// A user's name and phone, changed by an account that brought the user in (the account that registered
    /// them, or one above it): users are global, so an account that was merely granted one does not rename it.
    /// Fasto's Manager may do this; changing groups stays with User Admins.
    public static func editUser(
        _ state: IdentityState, actingIn acting: UUID, account accountID: UUID, user userID: UUID, name: String?, phone: String?
    ) throws(IdentityError) -> [IdentityEvent] {
        guard let user = state.users[userID], state.grants[accountID]?[userID] != nil else { throw IdentityError(.userNotFound, "no such user in this account") }
        guard state.directory.isWithin(user.accountID, of: acting) else {
            throw IdentityError(.userNotFound, "only the account that registered a user, or one above it, edits it")
        }
        let newName = name ?? user.name
        try IdentityValidation.name(newName)
        let newPhone = try phone.map { value throws(IdentityError) in try IdentityValidation.phone(value) } ?? user.phone
        if let newPhone, newPhone != user.phone, state.userByPhone[newPhone] != nil {
            throw IdentityError(.phoneTaken, "another user has this phone number", fields: ["phone": "taken"])
        }
        guard newName != user.name || newPhone != user.phone else { return [] }
        var events: [IdentityEvent] = []
        if newPhone != user.phone {
            if let old = user.phone {
                events.append(.userPhoneReleased(UserPhoneReleased(userID: userID, accountID: user.accountID, phone: old, claim: state.claim(ofPhone: old))))
            }
            if let newPhone {
                events.append(.userPhoneClaimed(UserPhoneClaimed(userID: userID, accountID: user.accountID, phone: newPhone, claim: state.claim(ofPhone: newPhone))))
            }
        }
        return events + [.userProfileChanged(UserProfileChanged(userID: userID, accountID: user.accountID, name: newName, phone: newPhone))]
    }

    public static func renameGroup(_ state: IdentityState, actingIn acting: UUID, group groupID: UUID, name: String) throws(IdentityError) -> [IdentityEvent] {
        try requireUserAdmin(state, acting)
        guard let group = state.groups[groupID] else { throw IdentityError(.groupNotFound, "no such group") }
        try IdentityValidation.name(name)
        guard group.name != name else { return [] }
        return [.groupRenamed(GroupRenamed(groupID: groupID, accountID: group.accountID, name: name))]
    }

    private static func grant(_ state: IdentityState, account accountID: UUID, user userID: UUID, groupIDs: [UUID], registering: Bool) throws(IdentityError) -> [IdentityEvent] {
        guard state.directory.accounts[accountID] != nil else { throw AccountCommands.notFound(accountID) }
        guard registering || state.users[userID] != nil else { throw IdentityError(.userNotFound, "no such user") }
        guard !groupIDs.isEmpty, groupIDs.count <= 20, Set(groupIDs).count == groupIDs.count else {
            throw .invalid("group_ids", "1-20 distinct groups")
        }
        for id in groupIDs where state.groups[id]?.accountID != accountID {
            throw IdentityError(.groupNotFound, "a group of this account, please", fields: ["group_ids": id.lowercasedString])
        }
        guard state.grants[accountID]?[userID] != groupIDs else { return [] }
        return [.accessGranted(AccessGranted(accountID: accountID, userID: userID, groupIDs: groupIDs))]
    }

    /// Nobody changes their own groups or access: an admin cannot lock themselves out, nor raise themselves.
    private static func refuseSelf(_ user: UUID, _ actor: UUID?) throws(IdentityError) {
        guard user != actor else { throw IdentityError(.selfAccess, "you cannot change your own access; ask another admin") }
    }

    private static func requireUserAdmin(_ state: IdentityState, _ acting: UUID) throws(IdentityError) {
        guard let account = state.directory.accounts[acting] else { throw AccountCommands.notFound(acting) }
        guard state.directory.isActive(acting) else { throw IdentityError(.accountSuspended, "the account or one above it is suspended") }
        guard account.roles.contains(.userAdmin) else { throw IdentityError(.roleRequired, "managing users takes the User Admin role") }
    }
}
