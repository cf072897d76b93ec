@testable import Core
import Foundation
import Testing

/// Impersonation: only a super admin, at most 15 minutes, as the account's owner, ended by its starter.
@Suite struct ImpersonationCommandsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let id = UUID.v7()

    @Test func aSuperAdminActsAsTheOwnerForAtMostFifteenMinutes() throws {
        var fixture = IdentityFixture()
        let client = try fixture.account(roles: [], ownerEmail: "owner@client.example")
        let (id, now, root, master) = (id, now, fixture.rootUser, fixture.master)
        let events = try fixture.when {
            try ImpersonationCommands.start($0, impersonationID: id, superAdmin: root, actingIn: master, account: client, now: now, lifetime: .seconds(3600))
        }
        guard case .impersonationStarted(let started) = events.first else { Issue.record("no start: \(events)"); return }
        #expect(started.userID == IdentityState.userID(forEmail: "owner@client.example") && started.impersonatorID == root)
        #expect(started.expiresAt == now.addingTimeInterval(900))
        #expect(ImpersonationCommands.isLive(fixture.state, impersonationID: id, account: client, now: now.addingTimeInterval(899)))
        #expect(!ImpersonationCommands.isLive(fixture.state, impersonationID: id, account: client, now: now.addingTimeInterval(900)))
        #expect(!ImpersonationCommands.isLive(fixture.state, impersonationID: id, account: fixture.master, now: now))
    }

    @Test func anAdminWhoIsNotASuperAdminCannotImpersonate() throws {
        var fixture = IdentityFixture()
        let reseller = try fixture.account(roles: [.accountAdmin], ownerEmail: "reseller@example.com")
        let client = try fixture.account(under: reseller, roles: [])
        let state = fixture.state, (id, now) = (id, now)
        #expect(refusal {
            try ImpersonationCommands.start(state, impersonationID: id, superAdmin: IdentityState.userID(forEmail: "reseller@example.com"),
                                            actingIn: reseller, account: client, now: now, lifetime: .seconds(60))
        } == .accountNotFound)
        #expect(refusal {
            try ImpersonationCommands.start(state, impersonationID: id, superAdmin: fixture.rootUser, actingIn: fixture.master, account: fixture.master,
                                            now: now, lifetime: .seconds(60))
        } == .impersonationNotAllowed)
    }

    @Test func endingIsForItsStarterOrItsOwnTokenAndTheTokenDiesWithIt() throws {
        var fixture = IdentityFixture()
        let client = try fixture.account(roles: [], ownerEmail: "owner@client.example")
        let (id, now, root, master) = (id, now, fixture.rootUser, fixture.master)
        try fixture.when { try ImpersonationCommands.start($0, impersonationID: id, superAdmin: root, actingIn: master, account: client, now: now, lifetime: .seconds(60)) }
        let state = fixture.state
        #expect(refusal { try ImpersonationCommands.end(state, impersonationID: id, by: UUID.v7(), through: nil) } == .impersonationNotFound)
        try fixture.when { try ImpersonationCommands.end($0, impersonationID: id, by: IdentityState.userID(forEmail: "owner@client.example"), through: id) }
        #expect(!ImpersonationCommands.isLive(fixture.state, impersonationID: id, account: client, now: now))
        #expect(try ImpersonationCommands.end(fixture.state, impersonationID: id, by: root, through: nil).isEmpty)  // twice is once
    }

    @Test func suspendingTheAccountStopsTheImpersonation() throws {
        var fixture = IdentityFixture()
        let client = try fixture.account(roles: [])
        let (id, now, root, master) = (id, now, fixture.rootUser, fixture.master)
        try fixture.when { try ImpersonationCommands.start($0, impersonationID: id, superAdmin: root, actingIn: master, account: client, now: now, lifetime: .seconds(60)) }
        try fixture.when { try AccountCommands.suspend($0, by: master, account: client) }
        #expect(!ImpersonationCommands.isLive(fixture.state, impersonationID: id, account: client, now: now))
    }
}
