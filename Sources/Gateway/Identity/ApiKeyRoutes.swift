import Core
import Foundation
import Hummingbird

/// An account's API keys for integrations: made by a user (the key is in that reply and nowhere else),
/// listed without secrets, revoked.
extension IdentityAPI {
    struct CreateApiKeyRequest: Decodable {
        var name: String
        var permissions: [ScopedPermission]
        var expiresAt: Date?
    }

    struct CreatedApiKey: Encodable {
        var id: UUID
        /// Shown once: only its hash is kept.
        var key: String
        var position: Int64
    }

    struct ApiKeySummary: Encodable {
        var id: UUID
        var name: String
        var permissions: [ScopedPermission]
        var createdAt: Date
        var expiresAt: Date?
        var lastUsedAt: Date?
        var revoked: Bool

        init(_ key: IdentityState.ApiKey) {
            id = key.id
            name = key.name
            permissions = key.permissions.map { ScopedPermission(permission: $0.key, scope: $0.value) }.sorted { $0.permission.rawValue < $1.permission.rawValue }
            createdAt = key.createdAt
            expiresAt = key.expiresAt
            lastUsedAt = key.lastUsedAt
            revoked = key.revoked
        }
    }

    func registerApiKeys(on routes: SecuredRouter) {
        let binding = ResourceBinding.account(parameter: "account_id")
        routes.on(.get, "accounts/:account_id/api-keys", .permission(.apiKeysManage, on: binding)) { request, _, authorized in
            let id = try authorized.resourceAccountID, page = try ListPage(request)
            try await waitForMinimumPosition(request)
            let keys = view.read { state in (state.apiKeysOfAccount[id] ?? []).compactMap { state.apiKeys[$0].map(ApiKeySummary.init) } }
            return try page.response("api_keys", keys, sortedBy: \.id.lowercasedString)
        }
        routes.on(.post, "accounts/:account_id/api-keys", .permission(.apiKeysManage, on: binding)) { request, context, authorized in
            let caller = try authorized.signedIn, creator = try authorized.user, account = try authorized.resourceAccountID
            let body = try await JSONBody.decode(CreateApiKeyRequest.self, from: request)
            let id = UUID.v7(), key = ApiKeySecrets.make(id: id), now = Date()
            let position = try await runner.run(Self.metadata(caller, context)) {
                try ApiKeyCommands.create($0, apiKeyID: id, creator: creator, actingIn: caller.accountID, account: account, name: body.name,
                                          permissions: body.permissions, secretHash: ApiKeySecrets.hash(key), now: now, expiresAt: body.expiresAt)
            }
            return try JSONBody.response(CreatedApiKey(id: id, key: key, position: position), status: .created)
        }
        routes.on(.delete, "accounts/:account_id/api-keys/:api_key_id", .permission(.apiKeysManage, on: binding)) { _, context, authorized in
            let caller = try authorized.signedIn, account = try authorized.resourceAccountID
            let key = try Self.path(context, "api_key_id")
            let position = try await runner.run(Self.metadata(caller, context)) { try ApiKeyCommands.revoke($0, account: account, apiKeyID: key) }
            return try JSONBody.response(Written(id: key, position: position))
        }
    }
}
