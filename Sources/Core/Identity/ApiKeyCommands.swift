public import Foundation

/// API keys: an account's credentials for integrations. A key holds chosen permissions, never more than its
/// creator holds there, and never impersonation; it may expire; it is revoked, not deleted.
public enum ApiKeyCommands {
    /// How often "last used" is written down at most.
    public static let usageGranularity: Duration = .seconds(60)

    public static func create(
        _ state: IdentityState, apiKeyID: UUID, creator: UUID, actingIn acting: UUID, account accountID: UUID, name: String,
        permissions: [ScopedPermission], secretHash: String, now: Date, expiresAt: Date?
    ) throws(IdentityError) -> [IdentityEvent] {
        guard state.directory.accounts[accountID] != nil else { throw AccountCommands.notFound(accountID) }
        try IdentityValidation.name(name)
        guard !permissions.isEmpty, permissions.count <= Permission.allCases.count,
              Set(permissions.map(\.permission)).count == permissions.count else {
            throw .invalid("permissions", "1 or more distinct permissions")
        }
        if let expiresAt, expiresAt <= now { throw .invalid("expires_at", "a time in the future") }
        let creatorGroups = state.groups(of: creator, in: acting).map(\.asPermissionGroup)
        for wanted in permissions {
            guard wanted.permission != .impersonate, wanted.scope != .own else {
                throw IdentityError(.permissionNotGrantable, "an API key cannot hold this", fields: ["permissions": wanted.permission.rawValue])
            }
            let held = creatorGroups.compactMap { $0.permissions[wanted.permission] }.max()
            guard let held, held >= wanted.scope,
                  state.allows(user: creator, actingIn: acting, wanted.permission, on: .init(accountID: accountID)) else {
                throw IdentityError(.permissionNotGrantable, "you do not hold this permission this far", fields: ["permissions": wanted.permission.rawValue])
            }
        }
        guard state.apiKeys[apiKeyID] == nil else { throw IdentityError(.alreadyExists, "an API key with this id exists") }
        return [.apiKeyCreated(ApiKeyCreated(
            apiKeyID: apiKeyID, accountID: accountID, name: name, permissions: permissions, secretHash: secretHash, createdBy: creator,
            createdAt: now, expiresAt: expiresAt
        ))]
    }

    /// A use, written down when the last one on record is older than `usageGranularity`.
    public static func recordUse(_ state: IdentityState, apiKeyID: UUID, now: Date) -> [IdentityEvent] {
        guard let key = state.apiKeys[apiKeyID] else { return [] }
        if let last = key.lastUsedAt, now.timeIntervalSince(last) < usageGranularity.seconds { return [] }
        return [.apiKeyUsed(ApiKeyUsed(apiKeyID: apiKeyID, accountID: key.accountID, at: now))]
    }

    public static func revoke(_ state: IdentityState, account accountID: UUID, apiKeyID: UUID) throws(IdentityError) -> [IdentityEvent] {
        guard let key = state.apiKeys[apiKeyID], key.accountID == accountID else { throw IdentityError(.apiKeyNotFound, "no such API key") }
        guard !key.revoked else { return [] }
        return [.apiKeyRevoked(ApiKeyRevoked(apiKeyID: apiKeyID, accountID: accountID))]
    }

    /// The key a presented secret opens, if it is usable now. The secret's hash is compared in constant time.
    public static func authenticate(_ state: IdentityState, apiKeyID: UUID, secretHash: String, now: Date) -> IdentityState.ApiKey? {
        guard let key = state.apiKeys[apiKeyID], key.usable(at: now), constantTimeEqual(key.secretHash, secretHash),
              state.directory.isActive(key.accountID) else { return nil }
        return key
    }
}
