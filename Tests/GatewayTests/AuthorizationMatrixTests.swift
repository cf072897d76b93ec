import CanopyTesting
import Core
import Foundation
import Gateway
import HTTPTypes
import Testing

/// The generated BOLA matrix (invariants 6 and 7): a random account tree, random grants and suspensions;
/// every registered route × several actors × resources inside and outside their reach, each answer compared
/// with `Reference`, an evaluator written from the rules and not from `AccessCheck`.
@Suite struct AuthorizationMatrixTests {
    /// The rules, restated: a tree, who is suspended, which group each user has where, what groups allow.
    struct Reference {
        var parent: [UUID: UUID] = [:]
        var suspended: Set<UUID> = []
        var names: [UUID: String] = [:]
        var tenantOf: [UUID: UUID] = [:]
        var tenantOwner: [UUID: UUID] = [:]
        var domainOf: [UUID: String] = [:]
        /// (user, account) → "super_admin", "admin", "manager" or "agent".
        var group: [String: String] = [:]

        static let managerReads: Set<Permission> = [.accountsRead, .usersRead, .usersEdit, .automationsRead, .runsRead, .attendancesRead,
                                                    .funnelsRead, .notificationsRead, .statsRead]

        func ancestors(of id: UUID) -> [UUID] {
            var result: [UUID] = [], next = parent[id]
            while let current = next { result.append(current); next = parent[current] }
            return result
        }

        func activeChain(_ id: UUID) -> Bool { !([id] + ancestors(of: id)).contains { suspended.contains($0) } }

        func allowed(user: UUID, acting: UUID, _ permission: Permission, on resource: UUID) -> Bool {
            guard names[resource] != nil, activeChain(acting), resource == acting || ancestors(of: resource).contains(acting) else { return false }
            if !activeChain(resource), permission != .accountsRead, permission != .accountsSuspend { return false }
            switch group["\(user)/\(acting)"] {
            case "super_admin": return true
            case "admin": return permission != .impersonate
            case "manager": return resource == acting && Self.managerReads.contains(permission)
            default: return false  // agents reach only resources they own; none of these routes' are
            }
        }
    }

    struct Actor {
        var user: UUID
        var account: UUID
        var token: String
        var host: String
    }

    @Test func everyRouteAnswersAsTheReferenceSays() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["CANOPY_MATRIX_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        try await withGateway { gateway in
            var random = SeededGenerator(seed: seed)
            var reference = Reference()
            let master = gateway.master
            let platformTenant = IdentityState.tenantID(forDomain: GatewayHarness.platformDomain)
            reference.names[master] = "Master Holdings"
            reference.tenantOf[master] = platformTenant
            reference.tenantOwner[platformTenant] = master
            reference.domainOf[platformTenant] = GatewayHarness.platformDomain
            let admin = IdentityState.userID(forEmail: GatewayHarness.adminEmail)
            reference.group["\(admin)/\(master)"] = "super_admin"
            var depth: [UUID: Int] = [master: 0]
            var roles: [UUID: Set<AccountRole>] = [master: Set(AccountRole.allCases)]
            var accounts = [master]

            // The tree: 55 sub-accounts, depth ≤ 6, random roles within what each parent may give, some on
            // tenants their parents made.
            for index in 1...55 {
                let parents = accounts.filter { depth[$0]! < 6 && roles[$0]!.contains(.accountAdmin) }
                let parent = parents[random.next(parents.count)]
                let grantable = AccountRole.allCases.filter { roles[parent]!.contains($0.requiredOfParent) }
                var given = Set(grantable.filter { _ in random.next(3) > 0 })
                if random.next(4) > 0, grantable.contains(.accountAdmin) { given.insert(.accountAdmin) }
                let ownedTenants = reference.tenantOwner.filter { $0.value == parent }.map(\.key).sorted { $0.uuidString < $1.uuidString }
                let tenant = random.next(2) == 0 || ownedTenants.isEmpty ? reference.tenantOf[parent]! : ownedTenants[random.next(ownedTenants.count)]
                let id = UUID.v7(), name = "Account \(index) \(UUID.v7().lowercasedString.prefix(6))"
                let ownerEmail = "owner\(index)@matrix.test"
                try await gateway.command {
                    try AccountCommands.createSubAccount($0, parent: parent, accountID: id, name: name, roles: given, tenantID: tenant,
                                                         owner: .init(email: ownerEmail, name: "Owner \(index)", passwordHash: nil))
                }
                reference.parent[id] = parent
                reference.names[id] = name
                reference.tenantOf[id] = tenant
                reference.group["\(IdentityState.userID(forEmail: ownerEmail))/\(id)"] = "admin"
                depth[id] = depth[parent]! + 1
                roles[id] = given
                accounts.append(id)
                if given.contains(.tenantAdmin), random.next(2) == 0 {
                    let domain = "t\(index).matrix.test"
                    try await gateway.command { try TenantCommands.createTenant($0, owner: id, primaryDomain: domain, branding: .init(displayName: "Brand \(index)")) }
                    let tenantID = IdentityState.tenantID(forDomain: domain)
                    reference.tenantOwner[tenantID] = id
                    reference.domainOf[tenantID] = domain
                }
            }
            // Users with random groups in random accounts, granted from the master.
            for index in 1...20 {
                let email = "user\(index)@matrix.test", user = IdentityState.userID(forEmail: email)
                for _ in 0..<(1 + random.next(3)) {
                    let account = accounts[random.next(accounts.count)]
                    let kind = ["admin", "manager", "agent"][random.next(3)]
                    let group = gateway.view.read { state in state.groupsOfAccount[account]!.first { state.groups[$0]?.predefined == kind }! }
                    try await gateway.command {
                        try AccessCommands.addUser($0, actingIn: master, account: account, email: email, name: "User \(index)", passwordHash: nil, groupIDs: [group])
                    }
                    reference.group["\(user)/\(account)"] = kind
                }
            }
            // Suspensions.
            for _ in 0..<8 {
                let account = accounts[1 + random.next(accounts.count - 1)]
                try await gateway.command { try AccountCommands.suspend($0, by: master, account: account) }
                reference.suspended.insert(account)
            }

            // Actors: every granted (user, account) pair, sampled.
            let pairs = reference.group.keys.sorted().map { key -> (UUID, UUID) in
                let parts = key.split(separator: "/")
                return (UUID(uuidString: String(parts[0]))!, UUID(uuidString: String(parts[1]))!)
            }
            var actors: [Actor] = []
            for (user, account) in ([(admin, master)] + (0..<16).map { _ in pairs[random.next(pairs.count)] }) {
                let tenant = reference.tenantOf[account]!
                actors.append(Actor(user: user, account: account, token: try await gateway.token(user: user, account: account, tenant: tenant),
                                    host: reference.domainOf[tenant]!))
            }

            var covered: Set<String> = [], disagreements: [String] = [], outcomes: [String: Int] = [:]
            let missing = UUID.v7()
            for route in gateway.routes {
                for actor in actors {
                    let active = reference.activeChain(actor.account)
                    var targets: [UUID] = [actor.account, missing]
                    switch route.access {
                    case .permission(_, .tenant):
                        targets = Array(reference.tenantOwner.keys.sorted { $0.uuidString < $1.uuidString }.prefix(6)) + [missing]
                    case .permission(_, .account):
                        let below = accounts.filter { reference.ancestors(of: $0).contains(actor.account) }
                        targets += (below.isEmpty ? [] : [below[random.next(below.count)]]) + reference.ancestors(of: actor.account).prefix(1)
                            + (0..<3).map { _ in accounts[random.next(accounts.count)] }
                    default:
                        targets = [missing]
                    }
                    for target in targets {
                        let path = route.path.split(separator: "/").map { segment -> String in
                            switch segment {
                            case ":account_id", ":tenant_id": target.lowercasedString
                            case _ where segment.hasPrefix(":"): UUID.v7().lowercasedString
                            default: String(segment)
                            }
                        }.joined(separator: "/")
                        let body: String? = [.post, .put, .patch].contains(route.method) ? "{}" : nil
                        let reply = try await gateway.call(route.method, "/" + path, host: actor.host, token: actor.token, body: body)
                        covered.insert("\(route.method) \(route.path)")
                        let verdict: String?
                        switch route.access {
                        case .anonymous:
                            // Open to anyone, but a token that is presented must be good.
                            verdict = active ? ([.unauthorized, .forbidden, .internalServerError].contains(reply.status) ? "anonymous route refused" : nil)
                                : (reply.status == .unauthorized ? nil : "a dead token was accepted")
                        case .signedIn:
                            verdict = active ? ([.unauthorized, .forbidden].contains(reply.status) ? "signed-in caller refused" : nil)
                                : (reply.status == .unauthorized ? nil : "inactive caller let in")
                        case .permission(let permission, let binding):
                            let resource = binding == .tenant(parameter: "tenant_id") ? reference.tenantOwner[target] : target
                            if !active {
                                verdict = reply.status == .unauthorized ? nil : "inactive caller let in"
                            } else if let resource, reference.allowed(user: actor.user, acting: actor.account, permission, on: resource) {
                                outcomes["allowed", default: 0] += 1
                                let refused = [.unauthorized, .forbidden].contains(reply.status) || (reply.status == .notFound && reply.errorCode == binding.notFoundCode)
                                verdict = refused || reply.status == .internalServerError ? "allowed but refused" : nil
                                try await restoreSuspension(resource, reference: reference, gateway: gateway)
                            } else if let resource, reference.allowed(user: actor.user, acting: actor.account, .accountsRead, on: resource) {
                                outcomes["forbidden", default: 0] += 1
                                verdict = reply.status == .forbidden && reply.errorCode == "permission.denied" ? nil : "visible but not refused with 403"
                            } else {
                                outcomes["out of reach", default: 0] += 1
                                verdict = reply.status == .notFound && reply.errorCode == binding.notFoundCode && reply.json()["error"].map { "\($0)" }?.contains("not found") == true
                                    ? nil : "out of reach but not a plain 404"
                            }
                        }
                        if let verdict {
                            disagreements.append("\(verdict): \(route.method) \(path) as \(actor.user)@\(actor.account) → \(reply.status.code) \(reply.text.prefix(200))")
                        }
                        // Hidden parent: nothing above the actor's account is ever named to it.
                        for ancestor in reference.ancestors(of: actor.account) {
                            let text = reply.text.lowercased()
                            if text.contains(ancestor.lowercasedString) || text.contains(reference.names[ancestor]!.lowercased()) {
                                disagreements.append("names an ancestor: \(route.method) \(path) as \(actor.account) → \(reply.text.prefix(200))")
                            }
                        }
                    }
                }
            }
            #expect(disagreements.isEmpty, "seed \(seed): \(disagreements.count) disagreements, first: \(disagreements.prefix(5))")
            #expect(covered == Set(gateway.routes.map { "\($0.method) \($0.path)" }), "seed \(seed)")
            // The matrix is only as good as its mix: every kind of answer must have been asked for many times.
            #expect(["allowed", "forbidden", "out of reach"].allSatisfy { outcomes[$0, default: 0] >= 20 }, "seed \(seed): \(outcomes)")
            #expect(accounts.count >= 50 && depth.values.max()! >= 3, "seed \(seed)")
        }
    }

    /// A suspend or reactivate the matrix was allowed to make is undone, so the reference stays true.
    func restoreSuspension(_ account: UUID, reference: Reference, gateway: GatewayHarness) async throws {
        let suspended = gateway.view.read { $0.directory.accounts[account]?.suspended ?? false }
        guard suspended != reference.suspended.contains(account) else { return }
        try await gateway.command { state in
            suspended ? try AccountCommands.reactivate(state, by: gateway.master, account: account)
                : try AccountCommands.suspend(state, by: gateway.master, account: account)
        }
    }
}
