@testable import Core
import Foundation
import Testing

/// SMS login codes: 5 minutes, 5 attempts, used once, on the tenant they were asked on.
@Suite struct SmsCodeCommandsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let challenge = UUID.v7()

    func issued() throws -> (IdentityFixture, UUID) {
        var fixture = IdentityFixture()
        let account = try fixture.account(roles: [.userAdmin])
        let agent = fixture.group("agent", of: account)
        try fixture.when {
            try AccessCommands.addUser($0, actingIn: account, account: account, email: "ana@example.com", name: "Ana", passwordHash: nil,
                                       phone: "+5511987654321", groupIDs: [agent])
        }
        let ana = IdentityState.userID(forEmail: "ana@example.com"), tenant = fixture.platformTenant, (challenge, now) = (challenge, now)
        #expect(fixture.state.userByPhone["+5511987654321"] == ana)
        try fixture.when { try SmsCodeCommands.issue($0, challengeID: challenge, user: ana, account: account, tenant: tenant, codeHash: "right", now: now) }
        return (fixture, account)
    }

    func verify(_ fixture: IdentityFixture, _ hash: String, after seconds: Double = 10, tenant: UUID? = nil) throws -> SmsCodeCommands.Verification {
        try SmsCodeCommands.verify(fixture.state, challengeID: challenge, tenant: tenant ?? fixture.platformTenant, presentedHash: hash, now: now.addingTimeInterval(seconds))
    }

    @Test func theRightCodeOpensOnceAndOnlyOnItsTenant() throws {
        var (fixture, _) = try issued()
        guard case .accepted(_, let events) = try verify(fixture, "right") else { Issue.record("refused"); return }
        #expect(refusal { _ = try verify(fixture, "right", tenant: UUID.v7()); return [] } == .invalidCode)
        fixture.events += events
        #expect(refusal { _ = try verify(fixture, "right"); return [] } == .invalidCode)  // spent
    }

    @Test func fiveWrongCodesEndTheChallenge() throws {
        var (fixture, _) = try issued()
        for attempt in 1...5 {
            guard case .rejected(let events) = try verify(fixture, "wrong") else { Issue.record("accepted"); return }
            #expect(events == [.smsCodeFailed(SmsCodeFailed(challengeID: challenge, accountID: fixture.state.smsCodes[challenge]!.accountID, attempts: attempt))])
            fixture.events += events
        }
        #expect(refusal { _ = try verify(fixture, "right"); return [] } == .invalidCode)
    }

    @Test func aCodeExpiresAfterFiveMinutes() throws {
        let (fixture, _) = try issued()
        #expect(refusal { _ = try verify(fixture, "right", after: 299); return [] } == nil)
        #expect(refusal { _ = try verify(fixture, "right", after: 300); return [] } == .invalidCode)
    }

    @Test func phonesAreE164AndBelongToOneUser() throws {
        var fixture = try issued().0
        let account = try fixture.account(roles: [.userAdmin]), agent = fixture.group("agent", of: account), state = fixture.state
        for (phone, code) in [("+5511987654321", IdentityError.Code.phoneTaken), ("11987654321", .invalidInput), ("+0123456789", .invalidInput), ("+12", .invalidInput)] {
            #expect(refusal {
                try AccessCommands.addUser(state, actingIn: account, account: account, email: "bo@example.com", name: "Bo", passwordHash: nil, phone: phone, groupIDs: [agent])
            } == code, "\(phone)")
        }
    }

    /// A number is held through a claim stream, as a domain is: two users given it at once collide there (the
    /// view alone cannot see a rival decided at the same moment), and a number given up goes, as its next
    /// claim, to anyone, in any account.
    @Test func aPhoneIsClaimedOnItsOwnStreamAndReleasedForAnyoneToClaimNext() throws {
        var fixture = try issued().0
        let home = fixture.state.users[IdentityState.userID(forEmail: "ana@example.com")]!.accountID
        let ana = IdentityState.userID(forEmail: "ana@example.com"), number = "+5511987654321"
        #expect(fixture.state.expectedVersion(of: IdentityStreams.phone(number)) == .exactly(1))
        let other = try fixture.account(roles: [.userAdmin]), agent = fixture.group("agent", of: other)
        func add(_ state: IdentityState, _ email: String, _ phone: String) throws -> [IdentityEvent] {
            try AccessCommands.addUser(state, actingIn: other, account: other, email: email, name: "Bo", passwordHash: nil, phone: phone, groupIDs: [agent])
        }
        let fresh = fixture.state
        let (bo, cy) = (try add(fresh, "bo@example.com", "+5511900000001"), try add(fresh, "cy@example.com", "+5511900000001"))
        #expect(bo.first?.placement.stream == IdentityStreams.phone("+5511900000001") && bo.first?.placement.stream == cy.first?.placement.stream)
        #expect(bo.first?.placement.accountID == other)

        let changed = try fixture.when { try AccessCommands.editUser($0, actingIn: home, account: home, user: ana, name: nil, phone: "+5511955554444") }
        #expect(changed.map(\.type) == ["user.phone_released", "user.phone_claimed", "user.profile_changed"])
        #expect(changed[0].placement.stream == IdentityStreams.phone(number) && changed[1].placement.stream == IdentityStreams.phone("+5511955554444"))
        #expect(fixture.state.userByPhone[number] == nil && fixture.state.phoneReleases[number] == 1)
        let next = try fixture.when { try add($0, "bo@example.com", number) }
        #expect(next.first?.placement.stream == IdentityStreams.phone(number, claim: 1) && next.first?.placement.accountID == other)
        #expect(fixture.state.userByPhone[number] == IdentityState.userID(forEmail: "bo@example.com"))
    }
}
