public import Foundation

/// What users do to themselves (each owns itself: no account decides these).
public enum UserCommands {
    /// A new password, and every other live session of the user revoked: whoever learned the old password
    /// and signed in with it is signed out everywhere but in the session that changed it.
    public static func changePassword(
        _ state: IdentityState, user userID: UUID, passwordHash: String, keeping current: UUID?, now: Date
    ) throws(IdentityError) -> [IdentityEvent] {
        guard let user = state.users[userID] else { throw IdentityError(.userNotFound, "no such user") }
        let others = (state.sessionsOfUser[userID] ?? []).compactMap { state.sessions[$0] }
            .filter { $0.id != current && $0.revoked == nil && $0.expiresAt > now }
        return [.userPasswordChanged(UserPasswordChanged(userID: userID, accountID: user.accountID, passwordHash: passwordHash))]
            + others.map { .sessionRevoked(SessionRevoked(sessionID: $0.id, accountID: $0.accountID, reason: "password_changed")) }
    }
}
