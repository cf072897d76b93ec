@testable import Core
import Foundation
import Testing

/// The account tree's rules: given these events, when this command, then these events or this error.
@Suite struct AccountCommandsTests {
    let master = UUID.v7()
    let owner = AccountCommands.Owner(email: "Root@Crontech.example", name: "Root", passwordHash: "$2b$04$hash")
    var rootUser: UUID { IdentityState.userID(forEmail: "root@crontech.example") }
    var platformTenant: UUID { IdentityState.tenantID(forDomain: "crontech.example") }

    var bootstrapped: [IdentityEvent] {
        try! AccountCommands.bootstrap(IdentityState(), accountID: master, name: "crontech", platformDomain: "crontech.example", owner: owner)
    }

    func child(_ id: UUID, of parent: UUID, roles: [AccountRole], tenant: UUID? = nil) -> IdentityEvent {
        .accountCreated(AccountCreated(accountID: id, parentID: parent, name: "child", roles: roles, tenantID: tenant ?? platformTenant, ownerUserID: .v7()))
    }

    func newOwner() -> AccountCommands.Owner { .init(email: "\(UUID.v7().lowercasedString)@example.com", name: "Owner", passwordHash: nil) }

    /// Given `given`, when `when`: the events it decides, or the error it refuses with.
    func then(_ given: [IdentityEvent], _ when: (IdentityState) throws -> [IdentityEvent]) -> Result<[IdentityEvent], IdentityError> {
        do { return .success(try when(IdentityState(given))) } catch let error as IdentityError { return .failure(error) } catch {
            Issue.record("not an IdentityError: \(error)")
            return .failure(IdentityError(.accountNotFound, "unexpected"))
        }
    }

    func errorCode(_ result: Result<[IdentityEvent], IdentityError>) -> IdentityError.Code? {
        if case .failure(let error) = result { error.code } else { nil }
    }

    @Test func bootstrapMakesTheMasterItsTenantAndASuperAdminOnce() throws {
        let state = IdentityState(bootstrapped)
        #expect(bootstrapped.map(\.type) == ["platform.bootstrapped", "tenant.created", "user.registered", "account.created", "account.group_created",
                                             "account.group_created", "account.group_created", "account.group_created", "account.access_granted"])
        // The platform's stream, the same for any master and domain, is what two racing bootstraps meet on.
        #expect(bootstrapped.first.map { $0.placement == (IdentityStreams.platform, master) } == true)
        #expect(IdentityState().expectedVersion(of: IdentityStreams.platform) == .noStream)
        let other = try AccountCommands.bootstrap(IdentityState(), accountID: .v7(), name: "other", platformDomain: "other.example",
                                                  owner: .init(email: "someone@other.example", name: "Someone", passwordHash: nil))
        #expect(other.first?.placement.stream == IdentityStreams.platform)
        #expect(state.directory.accounts[master]?.roles == Set(AccountRole.allCases))
        #expect(state.users[rootUser]?.email == "root@crontech.example")  // normalized
        #expect(state.groups(of: rootUser, in: master).map(\.predefined) == ["super_admin"])
        #expect(state.tenants[platformTenant]?.ownerAccountID == master)
        #expect(state.allows(user: rootUser, actingIn: master, .impersonate, on: .init(accountID: master)))
        #expect(errorCode(then(bootstrapped) {
            try AccountCommands.bootstrap($0, accountID: .v7(), name: "again", platformDomain: "x.example", owner: owner)
        }) == .alreadyExists)
    }

    @Test func anAccountAdminCreatesASubAccountWhoseOwnerGetsItsAdminGroup() throws {
        let id = UUID.v7()
        let events = try then(bootstrapped) {
            try AccountCommands.createSubAccount($0, parent: master, accountID: id, name: "Reseller", roles: [.accountAdmin, .userAdmin],
                                                 tenantID: nil, owner: .init(email: "boss@reseller.example", name: "Boss", passwordHash: nil))
        }.get()
        let state = IdentityState(bootstrapped + events)
        let boss = IdentityState.userID(forEmail: "boss@reseller.example")
        #expect(state.directory.accounts[id]?.parentID == master && state.directory.accounts[id]?.tenantID == platformTenant)
        #expect(state.directory.accounts[id]?.ownerUserID == boss)
        #expect(state.groupsOfAccount[id]?.compactMap { state.groups[$0]?.predefined } == ["admin", "manager", "agent"])  // no Super Admin
        #expect(state.groups(of: boss, in: id).map(\.predefined) == ["admin"])
        // Every event lands in the new account's stream or the new user's, bound to the new account.
        #expect(Set(events.map(\.placement.accountID)) == [id])
    }

    @Test func anExistingUserIsLinkedAsOwnerNotRegisteredAgain() throws {
        let events = try then(bootstrapped) {
            try AccountCommands.createSubAccount($0, parent: master, accountID: .v7(), name: "Second", roles: [], tenantID: nil,
                                                 owner: .init(email: "ROOT@crontech.example", name: "Whoever", passwordHash: nil))
        }.get()
        #expect(!events.contains { $0.type == UserRegistered.type })
        #expect(events.contains { if case .accountCreated(let c) = $0 { c.ownerUserID == rootUser } else { false } })
    }

    @Test func withoutAccountAdminThereAreNoSubAccounts() {
        let reseller = UUID.v7()
        let result = then(bootstrapped + [child(reseller, of: master, roles: [.userAdmin])]) {
            try AccountCommands.createSubAccount($0, parent: reseller, accountID: .v7(), name: "x", roles: [], tenantID: nil, owner: newOwner())
        }
        #expect(errorCode(result) == .roleRequired)
    }

    @Test(arguments: [
        // (the creator's roles, the role it tries to give, allowed)
        ([AccountRole.accountAdmin], AccountRole.accountAdmin, false),
        ([.accountAdmin, .subAccountAdmin], .accountAdmin, true),
        ([.accountAdmin], .tenantAdmin, false),
        ([.accountAdmin, .subAccountTenant], .tenantAdmin, true),
        ([.accountAdmin], .userAdmin, false),
        ([.accountAdmin, .userAdmin], .userAdmin, true),
        ([.accountAdmin, .tenantAdmin], .subAccountTenant, false),
        ([.accountAdmin, .automationManager], .automationManager, true),
    ])
    func rolesNeverGoBeyondWhatTheParentHolds(creatorRoles: [AccountRole], given role: AccountRole, allowed: Bool) {
        let reseller = UUID.v7()
        let result = then(bootstrapped + [child(reseller, of: master, roles: creatorRoles)]) {
            try AccountCommands.createSubAccount($0, parent: reseller, accountID: .v7(), name: "x", roles: [role], tenantID: nil, owner: newOwner())
        }
        #expect(allowed ? (try? result.get())?.contains { $0.type == AccountCreated.type } == true : errorCode(result) == .roleNotGrantable)
    }

    @Test func aSubAccountIsBoundToTheCreatorsTenantOrOneItOwnsAndNoOther() throws {
        let reseller = UUID.v7(), resellerTenant = UUID.v7(), otherTenant = UUID.v7()
        let given = bootstrapped + [
            child(reseller, of: master, roles: [.accountAdmin, .tenantAdmin]),
            .tenantCreated(TenantCreated(tenantID: resellerTenant, ownerAccountID: reseller, primaryDomain: "app.reseller.example", branding: .init(displayName: "R"))),
            .tenantCreated(TenantCreated(tenantID: otherTenant, ownerAccountID: master, primaryDomain: "other.example", branding: .init(displayName: "O"))),
        ]
        for (tenant, allowed) in [(platformTenant, true), (resellerTenant, true), (otherTenant, false), (UUID.v7(), false)] {
            let result = then(given) {
                try AccountCommands.createSubAccount($0, parent: reseller, accountID: .v7(), name: "client", roles: [], tenantID: tenant, owner: newOwner())
            }
            #expect(allowed ? (try? result.get()) != nil : errorCode(result) == .tenantNotUsable)
        }
    }

    @Test func aSuspendedAccountOrOneBelowASuspendedOneCreatesNothing() {
        let reseller = UUID.v7(), client = UUID.v7()
        let given = bootstrapped + [
            child(reseller, of: master, roles: [.accountAdmin, .subAccountAdmin]), child(client, of: reseller, roles: [.accountAdmin]),
            .accountSuspended(AccountSuspended(accountID: reseller, byAccountID: master)),
        ]
        for creator in [reseller, client] {
            let result = then(given) {
                try AccountCommands.createSubAccount($0, parent: creator, accountID: .v7(), name: "x", roles: [], tenantID: nil, owner: newOwner())
            }
            #expect(errorCode(result) == .accountSuspended)
        }
    }

    @Test func aParentReachesDownNeverUpNorSideways() throws {
        let reseller = UUID.v7(), client = UUID.v7(), sibling = UUID.v7()
        let given = bootstrapped + [
            child(reseller, of: master, roles: [.accountAdmin, .subAccountAdmin]), child(client, of: reseller, roles: [.accountAdmin]),
            child(sibling, of: master, roles: [.accountAdmin]),
        ]
        // Down, two levels: allowed.
        #expect(try then(given) { try AccountCommands.suspend($0, by: master, account: client) }.get()
                == [.accountSuspended(AccountSuspended(accountID: client, byAccountID: master))])
        // Up, sideways, itself, unknown: all the same "not found", which tells nothing.
        for (actor, target) in [(client, reseller), (client, master), (reseller, sibling), (reseller, UUID.v7())] {
            #expect(errorCode(then(given) { try AccountCommands.suspend($0, by: actor, account: target) }) == .accountNotFound)
        }
        #expect(errorCode(then(given) { try AccountCommands.suspend($0, by: reseller, account: reseller) }) == .notASubAccount)
    }

    @Test func suspensionCoversTheSubtreeUntilReactivated() throws {
        let reseller = UUID.v7(), client = UUID.v7()
        var state = IdentityState(bootstrapped + [
            child(reseller, of: master, roles: [.accountAdmin, .subAccountAdmin]), child(client, of: reseller, roles: []),
        ])
        for event in try AccountCommands.suspend(state, by: master, account: reseller) { state.apply(event) }
        #expect(!state.directory.isActive(reseller) && !state.directory.isActive(client) && state.directory.isActive(master))
        #expect(try AccountCommands.suspend(state, by: master, account: reseller).isEmpty)  // twice: nothing new
        for event in try AccountCommands.reactivate(state, by: master, account: reseller) { state.apply(event) }
        #expect(state.directory.isActive(client))
        #expect(errorCode(then(bootstrapped + [child(reseller, of: master, roles: [])]) {
            try AccountCommands.reactivate($0, by: master, account: reseller)
        }) == .accountNotSuspended)
    }

    @Test func badNamesAreRefusedAndNothingIsDecided() {
        for name in ["", " padded ", String(repeating: "a", count: 121), "tab\there"] {
            let result = then(bootstrapped) {
                try AccountCommands.createSubAccount($0, parent: master, accountID: .v7(), name: name, roles: [], tenantID: nil, owner: newOwner())
            }
            #expect(errorCode(result) == .invalidInput, "\(name)")
            #expect((try? result.get()) == nil)
        }
    }

    @Test func pathsRunFromAnAccountUpToTheMaster() {
        let reseller = UUID.v7(), client = UUID.v7()
        let directory = IdentityState(bootstrapped + [child(reseller, of: master, roles: []), child(client, of: reseller, roles: [])]).directory
        #expect(directory.path(from: client).map(\.id) == [client, reseller, master])
        #expect(directory.isWithin(client, of: master) && directory.isWithin(client, of: client) && !directory.isWithin(reseller, of: client))
        #expect(directory.path(from: .v7()).isEmpty)
    }
}

/// Effective permissions: reach down the tree, scopes, suspension.
@Suite struct AccessCheckTests {
    let master = UUID.v7(), reseller = UUID.v7(), client = UUID.v7(), sibling = UUID.v7(), tenant = UUID.v7()
    let user = UUID.v7()

    var directory: AccountDirectory {
        AccountDirectory([
            .accountCreated(AccountCreated(accountID: master, parentID: nil, name: "m", roles: AccountRole.allCases, tenantID: tenant, ownerUserID: .v7())),
            .accountCreated(AccountCreated(accountID: reseller, parentID: master, name: "r", roles: [.accountAdmin], tenantID: tenant, ownerUserID: .v7())),
            .accountCreated(AccountCreated(accountID: client, parentID: reseller, name: "c", roles: [], tenantID: tenant, ownerUserID: .v7())),
            .accountCreated(AccountCreated(accountID: sibling, parentID: master, name: "s", roles: [], tenantID: tenant, ownerUserID: .v7())),
        ])
    }

    func allows(_ groups: [PermissionGroup], in acting: UUID, _ permission: Permission, on account: UUID, owner: UUID? = nil,
                directory: AccountDirectory? = nil) -> Bool {
        AccessCheck.allows(directory ?? self.directory, user: user, groups: groups, actingIn: acting, permission: permission,
                           on: .init(accountID: account, ownerUserID: owner))
    }

    @Test func anAdminReachesItsSubtreeAndNothingAboveOrBeside() {
        #expect(allows([.admin], in: reseller, .automationsManage, on: reseller))
        #expect(allows([.admin], in: reseller, .automationsManage, on: client))
        #expect(!allows([.admin], in: reseller, .automationsManage, on: master))
        #expect(!allows([.admin], in: reseller, .automationsManage, on: sibling))
        #expect(!allows([.admin], in: reseller, .impersonate, on: client))  // Super Admin only
        #expect(allows([.superAdmin], in: master, .impersonate, on: client))
    }

    @Test func scopesNarrowWhatAGroupReaches() {
        #expect(allows([.manager], in: reseller, .usersEdit, on: reseller))
        #expect(!allows([.manager], in: reseller, .usersEdit, on: client))  // account scope: not below
        #expect(!allows([.manager], in: reseller, .usersGrant, on: reseller))  // a Manager does not change groups
        #expect(allows([.agent], in: client, .attendancesRead, on: client, owner: user))
        #expect(!allows([.agent], in: client, .attendancesRead, on: client, owner: .v7()))  // someone else's
        #expect(!allows([.agent], in: client, .attendancesRead, on: client))
        #expect(!allows([], in: reseller, .accountsRead, on: reseller))  // no group, nothing
    }

    @Test func suspensionOnThePathStopsEverything() {
        var suspended = directory
        suspended.apply(.accountSuspended(AccountSuspended(accountID: reseller, byAccountID: master)))
        #expect(!allows([.admin], in: reseller, .accountsRead, on: reseller, directory: suspended))
        #expect(!allows([.admin], in: client, .accountsRead, on: client, directory: suspended))
        // The master still works beside the suspended subtree; inside it, it may only see and reactivate.
        #expect(allows([.admin], in: master, .automationsManage, on: sibling, directory: suspended))
        #expect(!allows([.admin], in: master, .automationsManage, on: client, directory: suspended))
        #expect(allows([.admin], in: master, .accountsRead, on: client, directory: suspended))
        #expect(allows([.admin], in: master, .accountsSuspend, on: reseller, directory: suspended))
    }
}
