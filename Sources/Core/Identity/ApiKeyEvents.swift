public import Foundation

/// An integration's key to one account. Only a hash of the secret is recorded; the key itself is shown
/// once, in the reply that made it.
public struct ApiKeyCreated: IdentityPayload {
    public static let type = "api_key.created"
    public var apiKeyID: UUID
    public var accountID: UUID
    public var name: String
    public var permissions: [ScopedPermission]
    /// SHA-256 of the whole key, hex.
    public var secretHash: String
    public var createdBy: UUID
    public var createdAt: Date
    public var expiresAt: Date?
}

/// Written at most once a minute per key, so "last used" costs the log little.
public struct ApiKeyUsed: IdentityPayload {
    public static let type = "api_key.used"
    public var apiKeyID: UUID
    public var accountID: UUID
    public var at: Date
}

public struct ApiKeyRevoked: IdentityPayload {
    public static let type = "api_key.revoked"
    public var apiKeyID: UUID
    public var accountID: UUID
}
