import CanopyTesting
import Core
import Foundation
import Gateway
import Testing

/// Basic data of users over HTTP: a Manager of the registering account edits it; the change shows in the list.
@Suite struct UserEditTests {
    @Test func aManagerEditsNameAndPhoneButNotGroups() async throws {
        try await withGateway { gateway in
            let client = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test", password: "owner-password-1")
            let account = client.lowercasedString
            let owner = try await gateway.login("owner@client.test", password: "owner-password-1", host: "client.test")
            let (manager, agent) = gateway.view.read { state in
                (state.groupsOfAccount[client]!.first { state.groups[$0]?.predefined == "manager" }!,
                 state.groupsOfAccount[client]!.first { state.groups[$0]?.predefined == "agent" }!)
            }
            for (email, group) in [("mia@client.test", manager), ("ana@client.test", agent)] {
                let added = try await gateway.call(.post, "/api/v1/accounts/\(account)/users", host: "client.test", token: owner.access, body: """
                    {"email": "\(email)", "name": "Someone", "password": "a-long-password-1", "group_ids": ["\(group.lowercasedString)"]}
                    """)
                #expect(added.status == .created, "\(added.text)")
            }
            let mia = try await gateway.login("mia@client.test", password: "a-long-password-1", host: "client.test")
            let ana = IdentityState.userID(forEmail: "ana@client.test").lowercasedString
            let edited = try await gateway.call(.patch, "/api/v1/accounts/\(account)/users/\(ana)", host: "client.test", token: mia.access,
                                                body: #"{"name": "Ana Souza", "phone": "+5511912345678"}"#)
            #expect(edited.status == .ok, "\(edited.text)")
            let users = try await gateway.call(.get, "/api/v1/accounts/\(account)/users", host: "client.test", token: mia.access)
            #expect(users.text.contains("Ana Souza") && users.text.contains("+5511912345678"))
            // Groups stay with User Admins' groups: a Manager may not change them.
            let groups = try await gateway.call(.put, "/api/v1/accounts/\(account)/users/\(ana)/groups", host: "client.test", token: mia.access,
                                                body: #"{"group_ids": ["\#(manager.lowercasedString)"]}"#)
            #expect(groups.status == .forbidden && groups.errorCode == "permission.denied")
            let bad = try await gateway.call(.patch, "/api/v1/accounts/\(account)/users/\(ana)", host: "client.test", token: mia.access, body: #"{"phone": "123"}"#)
            #expect(bad.status == .badRequest && bad.errorFields["phone"] != nil)
        }
    }

    /// Users given one phone number at once: exactly one gets it. The view alone let decisions taken at the
    /// same moment all pass; the number's claim stream lets only one into the log, and the others, decided
    /// again on the caught-up view, are refused. (The test client has one connection, so the concurrent
    /// commands go through the gateway's command runner rather than HTTP.)
    @Test func concurrentUsersWithOnePhoneNumberGetItOnce() async throws {
        try await withGateway { gateway in
            // Each in an account of its own, so that nothing but the number is shared (no stream in common).
            var accounts: [(UUID, UUID)] = []
            for n in 0..<6 {
                let client = try await gateway.client(domain: "client\(n).test", ownerEmail: "owner@client\(n).test")
                accounts.append((client, gateway.view.read { state in state.groupsOfAccount[client]!.first { state.groups[$0]?.predefined == "agent" }! }))
            }
            let outcomes = await withTaskGroup(of: String.self) { group in
                for (n, (client, agent)) in accounts.enumerated() {
                    group.addTask {
                        do {
                            try await gateway.command {
                                try AccessCommands.addUser($0, actingIn: client, account: client, email: "user\(n)@client.test", name: "User \(n)",
                                                           passwordHash: nil, phone: "+5511933332222", groupIDs: [agent])
                            }
                            return "added"
                        } catch let error as APIError {
                            return error.code
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "added" }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == "user.phone_taken" }.count == 5, "\(outcomes)")
            let holders = gateway.view.read { state in state.users.values.filter { $0.phone == "+5511933332222" }.count }
            #expect(holders == 1)
        }
    }
}
