import CanopyTesting
import Core
import Foundation
@testable import Gateway
import Testing

/// Listings come in pages (`limit`, `cursor`): following the cursors gives every item once, in the
/// listing's order, and a bad page request is a typed 400.
@Suite struct ListPageTests {
    /// Every size and limit: the pages, cursor to cursor, are the items in order, none twice or missing.
    @Test func followingTheCursorsGivesEveryItemOnceInOrder() {
        for count in 0...13 {
            // Keys as a listing may sort by: emails, some beyond ASCII, which the cursor must carry intact.
            let items = (0..<count).map { "user\($0 < 10 ? "0" : "")\($0)-çã@example.test" }.sorted()
            for limit in 1...6 {
                var seen: [String] = [], page = ListPage(limit: limit), pages = 0
                while true {
                    let (slice, next) = page.slice(items, key: { $0 })
                    #expect(slice.count <= limit)
                    seen += slice
                    pages += 1
                    guard let next else { break }
                    #expect(!slice.isEmpty)
                    page = ListPage(limit: limit, after: ListPage.key(fromCursor: next))
                    if pages > count + 1 { break }
                }
                #expect(seen == items, "count \(count), limit \(limit)")
                #expect(pages == max(1, (count + limit - 1) / limit), "count \(count), limit \(limit)")
            }
        }
    }

    @Test func aCursorCarriesItsKeyAndNothingElseParses() {
        for key in ["a", "0198f3c2-5b7e-7c61-9a53-1f2d3e4f5a6b", "josé@exemplo.com.br", "app.acme.test"] {
            let cursor = ListPage.cursor(forKey: key)
            #expect(cursor.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            #expect(ListPage.key(fromCursor: cursor) == key)
        }
        // Not base64url; a length no encoding has; bytes that are not UTF-8 (0xFF); nothing.
        for bad in ["**", "a b", "a", "_w", "", String(repeating: "A", count: 1_028)] {
            #expect(ListPage.key(fromCursor: bad) == nil, "\(bad)")
        }
    }

    /// Over HTTP: pages of two, an account made between two pages lands once, at the end (keys, not offsets).
    @Test func subAccountsComeInPagesAndANewOneLandsOnce() async throws {
        try await withGateway { gateway in
            let admin = try await gateway.login().access
            var made: [UUID] = []
            for n in 0..<5 { made.append(try await gateway.client(domain: "client\(n).test", ownerEmail: "owner@client\(n).test")) }
            let path = "/api/v1/accounts/\(gateway.master.lowercasedString)/sub-accounts"
            let whole = try await gateway.call(.get, path, token: admin)
            let all = try Self.ids(whole, "accounts")
            #expect(whole.string("next_cursor") == nil)
            #expect(Set(made.map(\.lowercasedString)).isSubset(of: Set(all)))
            #expect(all == all.sorted())

            var pages: [[String]] = [], cursor: String?, late: UUID?
            repeat {
                let reply = try await gateway.call(.get, path + "?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: admin)
                #expect(reply.status == .ok, "\(reply.text)")
                pages.append(try Self.ids(reply, "accounts"))
                cursor = reply.string("next_cursor")
                if late == nil { late = try await gateway.client(domain: "late.test", ownerEmail: "owner@late.test") }
            } while cursor != nil && pages.count <= all.count
            let listed = pages.flatMap { $0 }
            #expect(pages.dropLast().allSatisfy { $0.count == 2 })
            #expect(listed == all + [late!.lowercasedString], "\(pages)")
        }
    }

    /// The default page is 100; the users listing pages by email.
    @Test func theDefaultPageIsAHundredAndUsersPageByEmail() async throws {
        try await withGateway { gateway in
            let admin = try await gateway.login().access
            let master = gateway.master
            for n in 0..<101 {
                try await gateway.command {
                    try AccountCommands.createSubAccount($0, parent: master, accountID: .v7(), name: "Account \(n)", roles: [],
                                                         tenantID: nil, owner: .init(email: "owner\(n)@many.test", name: "Owner", passwordHash: nil))
                }
            }
            let path = "/api/v1/accounts/\(master.lowercasedString)/sub-accounts"
            let first = try await gateway.call(.get, path, token: admin)
            #expect(try Self.ids(first, "accounts").count == ListPage.defaultLimit)
            let cursor = try #require(first.string("next_cursor"))
            let rest = try await gateway.call(.get, path + "?cursor=\(cursor)", token: admin)
            #expect(try Self.ids(rest, "accounts").count == 1 && rest.string("next_cursor") == nil)

            let agent = gateway.view.read { state in state.groupsOfAccount[master]!.first { state.groups[$0]?.predefined == "agent" }! }
            for email in ["carla@platform.test", "bruno@platform.test", "davi@platform.test"] {
                let added = try await gateway.call(.post, "/api/v1/accounts/\(master.lowercasedString)/users", token: admin, body: """
                    {"email": "\(email)", "name": "Someone", "group_ids": ["\(agent.lowercasedString)"]}
                    """)
                #expect(added.status == .created, "\(added.text)")
            }
            var emails: [String] = [], next: String?
            repeat {
                let reply = try await gateway.call(.get, "/api/v1/accounts/\(master.lowercasedString)/users?limit=1" + (next.map { "&cursor=\($0)" } ?? ""), token: admin)
                let users = try #require(reply.json()["users"] as? [[String: Any]])
                #expect(users.count == 1)
                emails += users.compactMap { $0["email"] as? String }
                next = reply.string("next_cursor")
            } while next != nil && emails.count < 10
            #expect(emails == ["admin@platform.test", "bruno@platform.test", "carla@platform.test", "davi@platform.test"])
        }
    }

    /// A bad `limit` or `cursor` is a 400 naming it, on every paged listing.
    @Test func aBadPageRequestIsATypedBadRequest() async throws {
        try await withGateway { gateway in
            let admin = try await gateway.login().access
            let account = gateway.master.lowercasedString
            for listing in ["sub-accounts", "users", "groups", "tenants", "api-keys"] {
                for (query, field) in [("limit=0", "limit"), ("limit=501", "limit"), ("limit=ten", "limit"), ("cursor=**", "cursor"), ("cursor=_w", "cursor")] {
                    let reply = try await gateway.call(.get, "/api/v1/accounts/\(account)/\(listing)?\(query)", token: admin)
                    #expect(reply.status == .badRequest && reply.errorCode == "request.invalid_parameter" && reply.errorFields[field] != nil,
                            "\(listing)?\(query): \(reply.status) \(reply.text)")
                }
                let fine = try await gateway.call(.get, "/api/v1/accounts/\(account)/\(listing)?limit=500", token: admin)
                #expect(fine.status == .ok, "\(listing): \(fine.text)")
            }
        }
    }

    private static func ids(_ reply: GatewayHarness.Reply, _ name: String) throws -> [String] {
        try #require(reply.json()[name] as? [[String: Any]], "\(reply.status) \(reply.text)").compactMap { $0["id"] as? String }
    }
}
