public import Foundation

/// A one-time login code sent by SMS. Only a keyed hash of the code is recorded. Bound to the account the
/// code logs into.
public struct SmsCodeIssued: IdentityPayload {
    public static let type = "sms_code.issued"
    public var challengeID: UUID
    public var userID: UUID
    public var accountID: UUID
    public var tenantID: UUID
    public var phone: String
    /// HMAC-SHA-256 of the challenge id and the code, hex.
    public var codeHash: String
    public var issuedAt: Date
    public var expiresAt: Date
}

/// A wrong code was presented; `attempts` counts them so far.
public struct SmsCodeFailed: IdentityPayload {
    public static let type = "sms_code.failed"
    public var challengeID: UUID
    public var accountID: UUID
    public var attempts: Int
}

/// The right code was presented: the challenge is spent (a session starts with it).
public struct SmsCodeUsed: IdentityPayload {
    public static let type = "sms_code.used"
    public var challengeID: UUID
    public var accountID: UUID
}
