public import Foundation

/// A super admin began acting as an account's owner (RFC 8693 style: the token names the owner as subject
/// and the super admin as actor). Bound to the impersonated account.
public struct ImpersonationStarted: IdentityPayload {
    public static let type = "impersonation.started"
    public var impersonationID: UUID
    public var accountID: UUID
    /// The account's owner, whom the token acts as.
    public var userID: UUID
    public var impersonatorID: UUID
    /// Where the super admin holds the right to impersonate (the master account).
    public var impersonatorAccountID: UUID
    public var tenantID: UUID
    public var startedAt: Date
    public var expiresAt: Date
}

public struct ImpersonationEnded: IdentityPayload {
    public static let type = "impersonation.ended"
    public var impersonationID: UUID
    public var accountID: UUID
    /// `ended` (by the super admin or the impersonation token itself).
    public var reason: String
}
