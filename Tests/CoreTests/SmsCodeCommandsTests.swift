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
}
