@testable import Core
import Foundation
import Testing

/// What a user does to itself.
@Suite struct UserCommandsTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aNewPasswordRevokesTheUsersOtherLiveSessionsOnly() throws {
        var fixture = IdentityFixture()
        let (user, master, tenant, start) = (fixture.rootUser, fixture.master, fixture.platformTenant, start)
        let current = UUID.v7(), other = UUID.v7(), revoked = UUID.v7(), expired = UUID.v7()
        for (session, lifetime) in [(current, 3600.0), (other, 3600), (revoked, 3600), (expired, 60)] {
            var lifetimes = SessionCommands.Lifetimes()
            lifetimes.sliding = .seconds(lifetime)
            try fixture.when {
                try SessionCommands.start($0, sessionID: session, user: user, account: master, tenant: tenant, tokenHash: "h-\(session)",
                                          method: "password", now: start, lifetimes: lifetimes)
            }
        }
        try fixture.when { try SessionCommands.revoke($0, sessionID: revoked, user: user, reason: "logout", now: start) }

        let events = try UserCommands.changePassword(fixture.state, user: user, passwordHash: "new-hash", keeping: current, now: start.addingTimeInterval(120))
        #expect(events == [
            .userPasswordChanged(UserPasswordChanged(userID: user, accountID: master, passwordHash: "new-hash")),
            .sessionRevoked(SessionRevoked(sessionID: other, accountID: master, reason: "password_changed")),
        ])
        fixture.events += events
        #expect(fixture.state.users[user]?.passwordHash == "new-hash")
        #expect(fixture.state.sessions[current]?.revoked == nil && fixture.state.sessions[other]?.revoked != nil)
    }

    @Test func anUnknownUserIsRefused() {
        let fixture = IdentityFixture()
        #expect(refusal { try UserCommands.changePassword(fixture.state, user: UUID.v7(), passwordHash: "h", keeping: nil, now: Date()) } == .userNotFound)
    }
}
