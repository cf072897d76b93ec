import Core
import Foundation
import Hummingbird

/// An account as a caller may see it. Its parent and owner are shown only to a caller acting strictly
/// above it: an account never learns who is above it (invariant 7).
struct AccountSummary: Encodable {
    var id: UUID
    var name: String
    var roles: [AccountRole]
    var tenantID: UUID
    var status: String
    var parentID: UUID?
    var ownerUserID: UUID?
    var ownerEmail: String?

    init(_ account: AccountDirectory.Account, state: IdentityState, viewer: UUID) {
        id = account.id
        name = account.name
        roles = account.roles.sorted { $0.rawValue < $1.rawValue }
        tenantID = account.tenantID
        status = account.suspended ? "suspended" : state.directory.isActive(account.id) ? "active" : "suspended_above"
        if account.id != viewer, state.directory.isWithin(account.id, of: viewer) {
            parentID = account.parentID
            ownerUserID = account.ownerUserID
            ownerEmail = state.users[account.ownerUserID]?.email
        }
    }
}

/// The account tree: read an account, list and create sub-accounts, suspend and reactivate them.
extension IdentityAPI {
    struct CreateAccountRequest: Decodable {
        struct Owner: Decodable {
            var email: String
            var name: String
            var password: String?
            var phone: String?
        }

        var name: String
        var roles: [AccountRole]?
        var tenantID: UUID?
        var owner: Owner
    }

    func registerAccounts(on routes: SecuredRouter) {
        routes.on(.get, "accounts/:account_id", .permission(.accountsRead, on: .account(parameter: "account_id"))) { request, _, authorized in
            let caller = try authorized.signedIn, id = try authorized.resourceAccountID
            try await waitForMinimumPosition(request)
            let summary = view.read { state in AccountSummary(state.directory.accounts[id]!, state: state, viewer: caller.accountID) }
            return try JSONBody.response(summary)
        }
        routes.on(.get, "accounts/:account_id/sub-accounts", .permission(.accountsRead, on: .account(parameter: "account_id"))) { request, _, authorized in
            let caller = try authorized.signedIn, id = try authorized.resourceAccountID, page = try ListPage(request)
            try await waitForMinimumPosition(request)
            let children = view.read { state in
                (state.directory.children[id] ?? []).compactMap { state.directory.accounts[$0] }
                    .map { AccountSummary($0, state: state, viewer: caller.accountID) }
            }
            return try page.response("accounts", children, sortedBy: \.id.lowercasedString)
        }
        routes.on(.post, "accounts/:account_id/sub-accounts", .permission(.accountsCreate, on: .account(parameter: "account_id"))) { request, context, authorized in
            let caller = try authorized.signedIn, parent = try authorized.resourceAccountID
            let body = try await JSONBody.decode(CreateAccountRequest.self, from: request)
            let hash = try await hashIfGiven(body.owner.password, field: "owner.password")
            let id = UUID.v7()
            let position = try await runner.run(Self.metadata(caller, context)) {
                try AccountCommands.createSubAccount($0, parent: parent, accountID: id, name: body.name, roles: Set(body.roles ?? []), tenantID: body.tenantID,
                                                     owner: .init(email: body.owner.email, name: body.owner.name, passwordHash: hash, phone: body.owner.phone))
            }
            return try JSONBody.response(Written(id: id, position: position), status: .created)
        }
        for (action, suspend) in [("suspend", true), ("reactivate", false)] {
            routes.on(.post, "accounts/:account_id/\(action)", .permission(.accountsSuspend, on: .account(parameter: "account_id"))) { _, context, authorized in
                let caller = try authorized.signedIn, id = try authorized.resourceAccountID
                let position = try await runner.run(Self.metadata(caller, context)) { state in
                    suspend ? try AccountCommands.suspend(state, by: caller.accountID, account: id)
                        : try AccountCommands.reactivate(state, by: caller.accountID, account: id)
                }
                return try JSONBody.response(Written(id: id, position: position))
            }
        }
    }

    /// A new user's password, validated then hashed; nil stays nil (a user without a password).
    func hashIfGiven(_ password: String?, field: String) async throws -> String? {
        guard let password else { return nil }
        do { try IdentityValidation.password(password, field: field) } catch { throw APIError(error) }
        return try await hasher.hash(password)
    }

    func waitForMinimumPosition(_ request: Request) async throws {
        try await MinimumPosition(request)?.await({ await view.waitUntilApplied($0, timeout: $1) }, head: runner.store.headPosition)
    }
}
