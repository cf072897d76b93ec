@testable import Core
import Foundation
import Testing

/// API keys: chosen permissions within the creator's, expiry, revocation, last use written sparingly.
@Suite struct ApiKeyCommandsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let key = UUID.v7()

    func create(_ state: IdentityState, by creator: UUID, in acting: UUID, for account: UUID, _ permissions: [ScopedPermission], expiresAt: Date? = nil) throws -> [IdentityEvent] {
        try ApiKeyCommands.create(state, apiKeyID: key, creator: creator, actingIn: acting, account: account, name: "CRM sync", permissions: permissions,
                                  secretHash: "hash", now: now, expiresAt: expiresAt)
    }

    @Test func aKeyHoldsOnlyItsChosenPermissions() throws {
        var fixture = IdentityFixture()
        let client = try fixture.account(roles: [])
        let (root, master) = (fixture.rootUser, fixture.master)
        try fixture.when { try create($0, by: root, in: master, for: client, [.init(permission: .attendancesIngest, scope: .account)]) }
        let state = fixture.state
        #expect(state.allows(.apiKey(key), actingIn: client, .attendancesIngest, on: .init(accountID: client)))
        #expect(!state.allows(.apiKey(key), actingIn: client, .usersRead, on: .init(accountID: client)))
        #expect(!state.allows(.apiKey(key), actingIn: master, .attendancesIngest, on: .init(accountID: client)))  // only in its account
    }

    @Test func aKeyNeverHoldsMoreThanItsCreatorNorImpersonation() throws {
        var fixture = IdentityFixture()
        let client = try fixture.account(roles: [.userAdmin])
        let manager = fixture.group("manager", of: client)
        try fixture.when {
            try AccessCommands.addUser($0, actingIn: client, account: client, email: "m@client.example", name: "M", passwordHash: nil, groupIDs: [manager])
        }
        let m = IdentityState.userID(forEmail: "m@client.example"), state = fixture.state
        #expect(refusal { try create(state, by: m, in: client, for: client, [.init(permission: .usersGrant, scope: .account)]) } == .permissionNotGrantable)
        #expect(refusal { try create(state, by: m, in: client, for: client, [.init(permission: .usersRead, scope: .subtree)]) } == .permissionNotGrantable)
        #expect(refusal { try create(state, by: fixture.rootUser, in: fixture.master, for: client, [.init(permission: .impersonate, scope: .subtree)]) } == .permissionNotGrantable)
        #expect(refusal { try create(state, by: m, in: client, for: client, []) } == .invalidInput)
        #expect(refusal { try create(state, by: m, in: client, for: client, [.init(permission: .usersRead, scope: .account)], expiresAt: now) } == .invalidInput)
        #expect(refusal { try create(state, by: m, in: client, for: client, [.init(permission: .usersRead, scope: .account)]) } == nil)
    }

    @Test func revokedOrExpiredKeysOpenNothing() throws {
        var fixture = IdentityFixture()
        let client = try fixture.account(roles: [])
        let (root, master, key, now) = (fixture.rootUser, fixture.master, key, now)
        try fixture.when { try create($0, by: root, in: master, for: client, [.init(permission: .statsRead, scope: .account)], expiresAt: now.addingTimeInterval(60)) }
        #expect(ApiKeyCommands.authenticate(fixture.state, apiKeyID: key, secretHash: "hash", now: now) != nil)
        #expect(ApiKeyCommands.authenticate(fixture.state, apiKeyID: key, secretHash: "hasX", now: now) == nil)
        #expect(ApiKeyCommands.authenticate(fixture.state, apiKeyID: key, secretHash: "hash", now: now.addingTimeInterval(60)) == nil)
        #expect(refusal { try ApiKeyCommands.revoke(fixture.state, account: master, apiKeyID: key) } == .apiKeyNotFound)  // not the key's account
        try fixture.when { try ApiKeyCommands.revoke($0, account: client, apiKeyID: key) }
        #expect(ApiKeyCommands.authenticate(fixture.state, apiKeyID: key, secretHash: "hash", now: now) == nil)
        #expect(!fixture.state.allows(.apiKey(key), actingIn: client, .statsRead, on: .init(accountID: client)))
    }

    @Test func lastUseIsWrittenAtMostOnceAMinute() throws {
        var fixture = IdentityFixture()
        let client = try fixture.account(roles: [])
        let (root, master, key, now) = (fixture.rootUser, fixture.master, key, now)
        try fixture.when { try create($0, by: root, in: master, for: client, [.init(permission: .statsRead, scope: .account)]) }
        let uses = try [0.0, 59, 60].map { seconds in try fixture.when { ApiKeyCommands.recordUse($0, apiKeyID: key, now: now.addingTimeInterval(seconds)) }.count }
        #expect(uses == [1, 0, 1])
        #expect(fixture.state.apiKeys[key]?.lastUsedAt == now.addingTimeInterval(60))
    }
}
