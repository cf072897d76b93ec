public import Foundation

/// A login: a family of refresh tokens, each used once (RFC 9700). Only hashes of tokens are recorded.
public struct SessionStarted: IdentityPayload {
    public static let type = "session.started"
    public var sessionID: UUID
    public var userID: UUID
    /// The account the session acts in; its stream is bound to it.
    public var accountID: UUID
    public var tenantID: UUID
    /// SHA-256 of the refresh token, hex.
    public var tokenHash: String
    public var startedAt: Date
    /// Sliding: each rotation moves it, never past `absoluteExpiresAt`.
    public var expiresAt: Date
    public var absoluteExpiresAt: Date
    /// `password` or `sms`.
    public var method: String
}

public struct SessionRefreshed: IdentityPayload {
    public static let type = "session.refreshed"
    public var sessionID: UUID
    public var accountID: UUID
    public var tokenHash: String
    public var expiresAt: Date
}

public struct SessionRevoked: IdentityPayload {
    public static let type = "session.revoked"
    public var sessionID: UUID
    public var accountID: UUID
    /// `logout`, `revoked` (by the user from the session list), `reuse_detected` or `password_changed`.
    public var reason: String
}
