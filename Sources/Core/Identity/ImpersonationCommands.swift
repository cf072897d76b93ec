public import Foundation

/// A super admin acting as an account's owner for a short while, with no refresh: the token it gets names
/// the owner and, as actor, the super admin; every event appended meanwhile carries the super admin too.
public enum ImpersonationCommands {
    /// The longest an impersonation lasts; a shorter one may be asked for.
    public static let maximumLifetime: Duration = .seconds(15 * 60)

    public static func start(
        _ state: IdentityState, impersonationID: UUID, superAdmin: UUID, actingIn acting: UUID, account accountID: UUID,
        now: Date, lifetime: Duration
    ) throws(IdentityError) -> [IdentityEvent] {
        guard state.allows(user: superAdmin, actingIn: acting, .impersonate, on: .init(accountID: accountID)),
              let account = state.directory.accounts[accountID] else { throw AccountCommands.notFound(accountID) }
        guard accountID != acting else { throw IdentityError(.impersonationNotAllowed, "you already act in this account") }
        guard state.impersonations[impersonationID] == nil else { throw IdentityError(.alreadyExists, "an impersonation with this id exists") }
        let seconds = min(lifetime, maximumLifetime).seconds
        guard seconds > 0 else { throw .invalid("lifetime_seconds", "1 to 900 seconds") }
        return [.impersonationStarted(ImpersonationStarted(
            impersonationID: impersonationID, accountID: accountID, userID: account.ownerUserID, impersonatorID: superAdmin,
            impersonatorAccountID: acting, tenantID: account.tenantID, startedAt: now, expiresAt: now.addingTimeInterval(seconds)
        ))]
    }

    /// Ended by the super admin who started it (from any token of theirs) or by the impersonation token
    /// itself; anyone else is told it does not exist.
    public static func end(_ state: IdentityState, impersonationID: UUID, by user: UUID, through current: UUID?) throws(IdentityError) -> [IdentityEvent] {
        guard let impersonation = state.impersonations[impersonationID], impersonation.impersonatorID == user || current == impersonationID else {
            throw IdentityError(.impersonationNotFound, "no such impersonation")
        }
        guard !impersonation.ended else { return [] }
        return [.impersonationEnded(ImpersonationEnded(impersonationID: impersonationID, accountID: impersonation.accountID, reason: "ended"))]
    }

    /// Whether an impersonation token may act now: not ended, not expired, the account active, and its
    /// super admin still allowed to impersonate there.
    public static func isLive(_ state: IdentityState, impersonationID: UUID, account: UUID, now: Date) -> Bool {
        guard let impersonation = state.impersonations[impersonationID], !impersonation.ended, now < impersonation.expiresAt,
              impersonation.accountID == account else { return false }
        return state.allows(user: impersonation.impersonatorID, actingIn: impersonation.impersonatorAccountID, .impersonate, on: .init(accountID: account))
    }
}
