@testable import Core
import Foundation
import Testing

/// Refresh-token families (RFC 9700): rotation on every use, reuse revokes the family, sliding expiry
/// under an absolute cap.
@Suite struct SessionCommandsTests {
    let session = UUID.v7()
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let lifetimes = SessionCommands.Lifetimes()

    func started() throws -> IdentityFixture {
        var fixture = IdentityFixture()
        let (session, user, master, tenant, start, lifetimes) = (session, fixture.rootUser, fixture.master, fixture.platformTenant, start, lifetimes)
        try fixture.when {
            try SessionCommands.start($0, sessionID: session, user: user, account: master, tenant: tenant, tokenHash: "h1",
                                      method: "password", now: start, lifetimes: lifetimes)
        }
        return fixture
    }

    func refresh(_ fixture: IdentityFixture, presenting hash: String, next: String, after seconds: Double = 60) throws -> SessionCommands.Refresh {
        try SessionCommands.refresh(fixture.state, sessionID: session, presentedHash: hash, newHash: next, now: start.addingTimeInterval(seconds), lifetimes: lifetimes)
    }

    @Test func eachUseRotatesTheTokenAndSlidesTheExpiry() throws {
        var fixture = try started()
        guard case .rotated(let events) = try refresh(fixture, presenting: "h1", next: "h2") else { Issue.record("not rotated"); return }
        fixture.events += events
        let state = fixture.state.sessions[session]!
        #expect(state.tokenHash == "h2" && state.usedHashes == [UsedTokenDigest("h1")] && state.hasUsed("h1") && !state.hasUsed("h2"))
        #expect(state.expiresAt == start.addingTimeInterval(60 + 30 * 24 * 3600))
    }

    @Test func presentingAnAlreadyUsedTokenRevokesTheWholeFamily() throws {
        var fixture = try started()
        guard case .rotated(let rotation) = try refresh(fixture, presenting: "h1", next: "h2") else { Issue.record("not rotated"); return }
        fixture.events += rotation
        guard case .reuseDetected(let revocation) = try refresh(fixture, presenting: "h1", next: "h3") else { Issue.record("reuse not seen"); return }
        #expect(revocation == [.sessionRevoked(SessionRevoked(sessionID: session, accountID: fixture.master, reason: "reuse_detected"))])
        fixture.events += revocation
        // The legitimate holder's current token is dead too.
        #expect(refusal { guard case .rotated(let e) = try refresh(fixture, presenting: "h2", next: "h4") else { return [] }; return e } == .invalidRefreshToken)
    }

    @Test func expiredUnknownAndRevokedTokensAreAllTheSameRefusal() throws {
        var fixture = try started()
        let expiredAfter = 30 * 24 * 3600.0 + 1
        for (hash, after) in [("h1", expiredAfter), ("nope", 60.0)] {
            #expect(refusal { _ = try refresh(fixture, presenting: hash, next: "x", after: after); return [] } == .invalidRefreshToken)
        }
        let (session, user) = (session, fixture.rootUser)
        try fixture.when { try SessionCommands.revoke($0, sessionID: session, user: user, reason: "logout", now: start) }
        #expect(refusal { _ = try refresh(fixture, presenting: "h1", next: "x"); return [] } == .invalidRefreshToken)
        // Someone else cannot revoke it, nor learn that it exists.
        let state = fixture.state
        #expect(refusal { try SessionCommands.revoke(state, sessionID: session, user: .v7(), reason: "logout", now: start) } == .sessionNotFound)
    }

    @Test func anExpiredFamilysUsedTokenIsRefusedAndRevokesNothing() throws {
        var fixture = try started()
        guard case .rotated(let rotation) = try refresh(fixture, presenting: "h1", next: "h2") else { Issue.record("not rotated"); return }
        fixture.events += rotation
        let expired = 60 + 30 * 24 * 3600.0
        #expect(refusal { guard case .reuseDetected(let e) = try refresh(fixture, presenting: "h1", next: "h3", after: expired) else { return [] }; return e } == .invalidRefreshToken)
        let (session, user, state) = (session, fixture.rootUser, fixture.state)
        #expect(refusal { try SessionCommands.revoke(state, sessionID: session, user: user, reason: "logout", now: start.addingTimeInterval(expired)) } == .sessionNotFound)
    }

    /// Given sessions live, expired, revoked and rotated, when the expired ones are forgotten, then every
    /// decision about sessions from that time on is the same on both states, and only live ones are held.
    @Test func forgettingExpiredSessionsChangesNoDecision() throws {
        var fixture = IdentityFixture()
        let (user, master, tenant, start) = (fixture.rootUser, fixture.master, fixture.platformTenant, start)
        var hashes: [UUID: [String]] = [:]
        // Lifetimes of 1 to 4 hours, each session refreshed up to twice in its first 10 minutes; some revoked.
        for index in 0..<24 {
            let id = UUID.v7()
            var lifetimes = SessionCommands.Lifetimes()
            lifetimes.sliding = .seconds(3600 * (1 + index % 4))
            try fixture.when {
                try SessionCommands.start($0, sessionID: id, user: user, account: master, tenant: tenant, tokenHash: "\(id)-0",
                                          method: "password", now: start, lifetimes: lifetimes)
            }
            hashes[id] = ["\(id)-0"]
            for step in stride(from: 1, through: index % 3, by: 1) {
                let (presented, next) = ("\(id)-\(step - 1)", "\(id)-\(step)")
                try fixture.when {
                    guard case .rotated(let events) = try SessionCommands.refresh($0, sessionID: id, presentedHash: presented, newHash: next,
                                                                                   now: start.addingTimeInterval(Double(step) * 300), lifetimes: lifetimes) else { return [] }
                    return events
                }
                hashes[id]!.append(next)
            }
            if index % 5 == 0 { try fixture.when { try SessionCommands.revoke($0, sessionID: id, user: user, reason: "logout", now: start) } }
        }
        let cutoff = start.addingTimeInterval(2.5 * 3600)
        var forgetting = fixture.state
        let forgotten = forgetting.forgetSessions(expiredBefore: cutoff)
        #expect(forgotten > 0 && forgotten < 24)
        #expect(forgetting.sessions.values.allSatisfy { $0.expiresAt >= cutoff } && forgetting.sessions.count == 24 - forgotten)
        #expect(Set(forgetting.sessionsOfUser[user] ?? []) == Set(forgetting.sessions.keys))

        func outcome(_ body: () throws(IdentityError) -> [IdentityEvent]) -> Result<[IdentityEvent], IdentityError> {
            do { return .success(try body()) } catch { return .failure(error) }
        }
        for now in [cutoff, cutoff.addingTimeInterval(1800), cutoff.addingTimeInterval(7200)] {
            for (id, family) in hashes {
                for presented in family + ["unknown"] {
                    let refresh = { (state: IdentityState) in
                        outcome { () throws(IdentityError) -> [IdentityEvent] in
                            switch try SessionCommands.refresh(state, sessionID: id, presentedHash: presented, newHash: "new", now: now, lifetimes: .init()) {
                            case .rotated(let events), .reuseDetected(let events): events
                            }
                        }
                    }
                    #expect(refresh(fixture.state) == refresh(forgetting), "refresh \(presented) at \(now)")
                }
                let revoke = { (state: IdentityState) in outcome { () throws(IdentityError) in try SessionCommands.revoke(state, sessionID: id, user: user, reason: "revoked", now: now) } }
                #expect(revoke(fixture.state) == revoke(forgetting))
            }
            let change = { (state: IdentityState) in
                outcome { () throws(IdentityError) in try UserCommands.changePassword(state, user: user, passwordHash: "h", keeping: nil, now: now) }
            }
            #expect(change(fixture.state) == change(forgetting))
        }
    }

    @Test func slidingNeverPassesTheAbsoluteCap() throws {
        var fixture = try started()
        var hash = "h1", now = 0.0
        for step in 2...4 {  // three refreshes, each 29 days apart: the third would slide past 90 days
            now += 29 * 24 * 3600
            guard case .rotated(let events) = try refresh(fixture, presenting: hash, next: "h\(step)", after: now) else { Issue.record("not rotated"); return }
            fixture.events += events
            hash = "h\(step)"
        }
        #expect(fixture.state.sessions[session]!.expiresAt == start.addingTimeInterval(90 * 24 * 3600))
    }
}
