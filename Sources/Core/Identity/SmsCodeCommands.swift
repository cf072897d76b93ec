public import Foundation

/// Passwordless login by SMS: a 6-digit code, good for 5 minutes and 5 attempts, used once.
public enum SmsCodeCommands {
    public static let digits = 6
    public static let lifetime: Duration = .seconds(5 * 60)
    public static let maximumAttempts = 5

    public static func issue(
        _ state: IdentityState, challengeID: UUID, user: UUID, account: UUID, tenant: UUID, codeHash: String, now: Date
    ) throws(IdentityError) -> [IdentityEvent] {
        guard let phone = state.users[user]?.phone else { throw IdentityError(.userNotFound, "no such user") }
        guard state.smsCodes[challengeID] == nil else { throw IdentityError(.alreadyExists, "a challenge with this id exists") }
        return [.smsCodeIssued(SmsCodeIssued(
            challengeID: challengeID, userID: user, accountID: account, tenantID: tenant, phone: phone, codeHash: codeHash,
            issuedAt: now, expiresAt: now.addingTimeInterval(lifetime.seconds)
        ))]
    }

    public enum Verification: Sendable, Hashable {
        /// The code was right: these events spend the challenge.
        case accepted(IdentityState.SmsCode, [IdentityEvent])
        /// The code was wrong: these events count the attempt, and the caller is refused.
        case rejected([IdentityEvent])
    }

    /// Unknown, expired, spent or out of attempts: all the same refusal.
    public static func verify(_ state: IdentityState, challengeID: UUID, tenant: UUID, presentedHash: String, now: Date) throws(IdentityError) -> Verification {
        guard let code = state.smsCodes[challengeID], code.tenantID == tenant, !code.used, now < code.expiresAt,
              code.attempts < maximumAttempts else { throw invalidCode }
        guard constantTimeEqual(code.codeHash, presentedHash) else {
            return .rejected([.smsCodeFailed(SmsCodeFailed(challengeID: challengeID, accountID: code.accountID, attempts: code.attempts + 1))])
        }
        return .accepted(code, [.smsCodeUsed(SmsCodeUsed(challengeID: challengeID, accountID: code.accountID))])
    }

    public static let invalidCode = IdentityError(.invalidCode, "the code is wrong, expired or used up")
}
