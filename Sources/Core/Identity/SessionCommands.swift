public import Foundation

/// Refresh-token families: start, rotate on every use, revoke. Presenting a token the family already
/// rotated away from revokes the whole family (RFC 9700 §4.14.2): a thief and the victim both lose it.
public enum SessionCommands {
    public struct Lifetimes: Sendable, Hashable {
        public var sliding: Duration = .seconds(30 * 24 * 3600)
        public var absolute: Duration = .seconds(90 * 24 * 3600)
        public init() {}
    }

    public static func start(
        _ state: IdentityState, sessionID: UUID, user: UUID, account: UUID, tenant: UUID, tokenHash: String, method: String,
        now: Date, lifetimes: Lifetimes
    ) throws(IdentityError) -> [IdentityEvent] {
        guard state.sessions[sessionID] == nil else { throw IdentityError(.alreadyExists, "a session with this id exists") }
        let absolute = now.addingTimeInterval(lifetimes.absolute.seconds)
        return [.sessionStarted(SessionStarted(
            sessionID: sessionID, userID: user, accountID: account, tenantID: tenant, tokenHash: tokenHash, startedAt: now,
            expiresAt: min(now.addingTimeInterval(lifetimes.sliding.seconds), absolute), absoluteExpiresAt: absolute, method: method
        ))]
    }

    public enum Refresh: Sendable, Hashable {
        /// The token was current: these events rotate it.
        case rotated([IdentityEvent])
        /// The token was already used: these events revoke the family, and the caller is refused.
        case reuseDetected([IdentityEvent])
    }

    public static func refresh(
        _ state: IdentityState, sessionID: UUID, presentedHash: String, newHash: String, now: Date, lifetimes: Lifetimes
    ) throws(IdentityError) -> Refresh {
        // An expired family is refused before anything else, reuse included: it can no longer be used, and
        // a gateway may already have forgotten it (`IdentityState.forgetSessions`).
        guard let session = state.sessions[sessionID], now < session.expiresAt else { throw invalidToken }
        if session.hasUsed(presentedHash) {
            guard session.revoked == nil else { throw invalidToken }
            return .reuseDetected([.sessionRevoked(SessionRevoked(sessionID: sessionID, accountID: session.accountID, reason: "reuse_detected"))])
        }
        guard session.tokenHash == presentedHash, session.revoked == nil else { throw invalidToken }
        return .rotated([.sessionRefreshed(SessionRefreshed(
            sessionID: sessionID, accountID: session.accountID, tokenHash: newHash,
            expiresAt: min(now.addingTimeInterval(lifetimes.sliding.seconds), session.absoluteExpiresAt)
        ))])
    }

    /// Logout (with the token) or revocation from the user's session list (by id). An expired session is
    /// not found: it ended by itself, and a gateway may already have forgotten it.
    public static func revoke(
        _ state: IdentityState, sessionID: UUID, user: UUID, reason: String, now: Date
    ) throws(IdentityError) -> [IdentityEvent] {
        guard let session = state.sessions[sessionID], session.userID == user, now < session.expiresAt else {
            throw IdentityError(.sessionNotFound, "no such session")
        }
        guard session.revoked == nil else { return [] }
        return [.sessionRevoked(SessionRevoked(sessionID: sessionID, accountID: session.accountID, reason: reason))]
    }

    /// One answer for every bad token: unknown, expired, revoked, forged.
    public static let invalidToken = IdentityError(.invalidRefreshToken, "the refresh token is not valid")
}
