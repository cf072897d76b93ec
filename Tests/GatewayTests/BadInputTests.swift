import CanopyTesting
import Core
import Foundation
import Gateway
import Testing

/// Invariant 9 at the gateway: malformed, oversized or invalid writes get a typed 400 naming the field,
/// and the log keeps exactly the rows it had.
@Suite struct BadInputTests {
    @Test func everyWriteRouteRefusesMalformedAndOversizedBodiesAndAppendsNothing() async throws {
        try await withGateway { gateway in
            let token = try await gateway.login().access
            let before = try await gateway.logRowCount()
            let writes = gateway.routes.filter { [.post, .put, .patch].contains($0.method) }
            #expect(writes.count >= 8)
            for route in writes {
                let path = route.path.split(separator: "/").map { segment -> String in
                    switch segment {
                    case ":account_id": gateway.master.lowercasedString
                    case ":tenant_id": IdentityState.tenantID(forDomain: GatewayHarness.platformDomain).lowercasedString
                    case _ where segment.hasPrefix(":"): UUID.v7().lowercasedString
                    default: String(segment)
                    }
                }.joined(separator: "/")
                let bodyless = ["/suspend", "/reactivate", "/activate"].contains { path.hasSuffix($0) }
                if bodyless { continue }
                for (body, code) in [("{\"name\": ", "request.malformed_json"), ("[1, 2]", "request.malformed_json"), ("{\"x\": 1,}", "request.malformed_json"),
                                     ("{\"pad\": \"" + String(repeating: "a", count: 70_000) + "\"}", "request.too_large")] {
                    let reply = try await gateway.call(route.method, "/" + path, token: token, body: body)
                    // The logo route takes image bytes, not JSON: the same bodies are images of nothing.
                    let code = path.hasSuffix("/logo") ? "request.invalid_input" : code
                    #expect([400, 413].contains(reply.status.code) && reply.errorCode == code, "\(route.method) \(route.path): \(reply.status.code) \(reply.text.prefix(120))")
                }
            }
            let master = gateway.master.lowercasedString
            let invalid: [(String, String, String)] = [
                ("/api/v1/accounts/\(master)/tenants", #"{"primary_domain": "not a domain", "branding": {"display_name": "X"}}"#, "primary_domain"),
                ("/api/v1/accounts/\(master)/tenants", #"{"primary_domain": "ok.test", "branding": {"display_name": "X", "primary_color": "red"}}"#, "primary_color"),
                ("/api/v1/accounts/\(master)/tenants", #"{"primary_domain": "ok.test", "branding": {"display_name": "X", "layout": "diagonal"}}"#, "branding.layout"),
                ("/api/v1/accounts/\(master)/sub-accounts", #"{"name": "A", "owner": {"email": "not-an-email", "name": "O"}}"#, "owner_email"),
                ("/api/v1/accounts/\(master)/sub-accounts", #"{"name": " A", "owner": {"email": "a@b.test", "name": "O"}}"#, "name"),
                ("/api/v1/accounts/\(master)/sub-accounts", #"{"name": "A", "owner": {"email": "a@b.test", "name": "O", "password": "short"}}"#, "owner.password"),
                ("/api/v1/accounts/\(master)/sub-accounts", #"{"name": "A"}"#, "owner"),
                ("/api/v1/accounts/\(master)/users", #"{"email": "u@b.test", "name": "U", "group_ids": []}"#, "group_ids"),
            ]
            // Times that do not exist or are not RFC 3339, which a lenient reader would take for other times.
            let key = #"{"name": "k", "permissions": [{"permission": "stats.read", "scope": "account"}], "expires_at": "TIME"}"#
            let invalidTimes = ["2027-02-30T00:00:00Z", "2027-01-01T24:00:00Z", "2027-01-01T00:00:60Z", "2027-1-01T00:00:00Z",
                                "2027-01-01T00:00:00+0200", "2027-01-01 00:00:00Z", "2027-01-01T00:00:00", "2027-01-01"]
            for time in invalidTimes {
                let path = "/api/v1/accounts/\(master)/api-keys", body = key.replacingOccurrences(of: "TIME", with: time)
                let reply = try await gateway.call(.post, path, token: token, body: body)
                #expect(reply.status == .badRequest && reply.errorFields["expires_at"] != nil, "\(time): \(reply.text.prefix(200))")
            }
            for (path, body, field) in invalid {
                let reply = try await gateway.call(.post, path, token: token, body: body)
                #expect(reply.status == .badRequest && reply.errorFields[field] != nil, "\(path) \(body): \(reply.text.prefix(200))")
            }
            #expect(try await gateway.logRowCount() == before)
        }
    }
}
