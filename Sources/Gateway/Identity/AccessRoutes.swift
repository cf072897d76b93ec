import Core
import Foundation
import Hummingbird

/// Users and groups of an account: list, add (register or link), change groups, revoke, rename groups.
extension IdentityAPI {
    struct GroupSummary: Encodable {
        var id: UUID
        var name: String
        var predefined: String?
        var permissions: [ScopedPermission]
    }

    struct UserSummary: Encodable {
        var id: UUID
        var email: String
        var name: String
        var phone: String?
        var groupIDs: [UUID]
    }

    struct AddUserRequest: Decodable {
        var email: String
        var name: String
        var password: String?
        var phone: String?
        var groupIDs: [UUID]
    }

    struct GroupsRequest: Decodable {
        var groupIDs: [UUID]
    }

    struct EditUserRequest: Decodable {
        var name: String?
        var phone: String?
    }

    struct RenameRequest: Decodable {
        var name: String
    }

    func registerAccess(on routes: SecuredRouter) {
        let account = ResourceBinding.account(parameter: "account_id")
        routes.on(.get, "accounts/:account_id/groups", .permission(.usersRead, on: account)) { request, _, authorized in
            let id = try authorized.resourceAccountID, page = try ListPage(request)
            try await waitForMinimumPosition(request)
            let groups = view.read { state in
                (state.groupsOfAccount[id] ?? []).compactMap { state.groups[$0] }.map { group in
                    GroupSummary(id: group.id, name: group.name, predefined: group.predefined,
                                 permissions: group.permissions.map { ScopedPermission(permission: $0.key, scope: $0.value) }
                                     .sorted { $0.permission.rawValue < $1.permission.rawValue })
                }
            }
            return try page.response("groups", groups, sortedBy: \.id.lowercasedString)
        }
        routes.on(.patch, "accounts/:account_id/groups/:group_id", .permission(.groupsManage, on: account)) { request, context, authorized in
            let caller = try authorized.signedIn, id = try authorized.resourceAccountID
            let group = try Self.path(context, "group_id")
            let body = try await JSONBody.decode(RenameRequest.self, from: request)
            let position = try await runner.run(Self.metadata(caller, context)) { state in
                guard state.groups[group]?.accountID == id else { throw IdentityError(.groupNotFound, "no such group") }
                return try AccessCommands.renameGroup(state, actingIn: caller.accountID, group: group, name: body.name)
            }
            return try JSONBody.response(Written(id: group, position: position))
        }
        routes.on(.get, "accounts/:account_id/users", .permission(.usersRead, on: account)) { request, _, authorized in
            let id = try authorized.resourceAccountID, page = try ListPage(request)
            try await waitForMinimumPosition(request)
            let users = view.read { state in
                (state.grants[id] ?? [:]).compactMap { userID, groups in
                    state.users[userID].map { UserSummary(id: $0.id, email: $0.email, name: $0.name, phone: $0.phone, groupIDs: groups) }
                }
            }
            return try page.response("users", users, sortedBy: \.email)
        }
        routes.on(.post, "accounts/:account_id/users", .permission(.usersGrant, on: account)) { request, context, authorized in
            let caller = try authorized.signedIn, id = try authorized.resourceAccountID
            let body = try await JSONBody.decode(AddUserRequest.self, from: request)
            let hash = try await hashIfGiven(body.password, field: "password")
            let position = try await runner.run(Self.metadata(caller, context)) {
                try AccessCommands.addUser($0, actingIn: caller.accountID, by: caller.userID, account: id, email: body.email, name: body.name, passwordHash: hash, phone: body.phone, groupIDs: body.groupIDs)
            }
            let userID = IdentityState.userID(forEmail: body.email.lowercased())
            return try JSONBody.response(Written(id: userID, position: position), status: .created)
        }
        routes.on(.patch, "accounts/:account_id/users/:user_id", .permission(.usersEdit, on: account)) { request, context, authorized in
            let caller = try authorized.signedIn, id = try authorized.resourceAccountID
            let user = try Self.path(context, "user_id")
            let body = try await JSONBody.decode(EditUserRequest.self, from: request)
            let position = try await runner.run(Self.metadata(caller, context)) {
                try AccessCommands.editUser($0, actingIn: caller.accountID, account: id, user: user, name: body.name, phone: body.phone)
            }
            return try JSONBody.response(Written(id: user, position: position))
        }
        routes.on(.put, "accounts/:account_id/users/:user_id/groups", .permission(.usersGrant, on: account)) { request, context, authorized in
            let caller = try authorized.signedIn, id = try authorized.resourceAccountID
            let user = try Self.path(context, "user_id")
            let body = try await JSONBody.decode(GroupsRequest.self, from: request)
            let position = try await runner.run(Self.metadata(caller, context)) {
                try AccessCommands.grantAccess($0, actingIn: caller.accountID, by: caller.userID, account: id, user: user, groupIDs: body.groupIDs)
            }
            return try JSONBody.response(Written(id: user, position: position))
        }
        routes.on(.delete, "accounts/:account_id/users/:user_id", .permission(.usersGrant, on: account)) { _, context, authorized in
            let caller = try authorized.signedIn, id = try authorized.resourceAccountID
            let user = try Self.path(context, "user_id")
            let position = try await runner.run(Self.metadata(caller, context)) {
                try AccessCommands.revokeAccess($0, actingIn: caller.accountID, by: caller.userID, account: id, user: user)
            }
            return try JSONBody.response(Written(id: user, position: position))
        }
    }
}
