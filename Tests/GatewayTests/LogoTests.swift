import CanopyTesting
import Core
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Logo upload over HTTP: into the draft, served on the domain once activated, sanitized, bad images refused
/// without a trace.
@Suite struct LogoTests {
    func upload(_ gateway: GatewayHarness, tenant: String, token: String, bytes: [UInt8], type: String) async throws -> (HTTPResponse.Status, String) {
        let request = TestClient.Request("/api/v1/tenants/\(tenant)/branding/draft/logo", method: .put, authority: GatewayHarness.platformDomain,
                                         headers: [.authorization: "Bearer \(token)", .contentType: type], body: ByteBuffer(bytes: bytes))
        let response = try await gateway.http.execute(request)
        return (response.status, response.body.map { String(buffer: $0) } ?? "")
    }

    func logo(_ gateway: GatewayHarness, host: String) async throws -> (HTTPResponse.Status, String?, [UInt8]) {
        let response = try await gateway.http.execute(TestClient.Request("/api/v1/tenant/logo", method: .get, authority: host))
        return (response.status, response.headers[.contentType], response.body.map { Array($0.readableBytesView) } ?? [])
    }

    @Test func anUploadedLogoIsPreviewedThenServedOnItsDomain() async throws {
        try await withGateway { gateway in
            _ = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test")
            let tenant = IdentityState.tenantID(forDomain: "client.test").lowercasedString
            let token = try await gateway.login().access
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 100_000)  // over the JSON limit
            let (status, text) = try await upload(gateway, tenant: tenant, token: token, bytes: png, type: "image/png")
            #expect(status == .ok, "\(text)")
            #expect(try await logo(gateway, host: "client.test").0 == .notFound)  // a draft is not live
            let preview = try await gateway.http.execute(TestClient.Request("/api/v1/tenants/\(tenant)/branding/draft/logo", method: .get,
                                                                            authority: GatewayHarness.platformDomain, headers: [.authorization: "Bearer \(token)"]))
            #expect(preview.status == .ok && preview.body.map { Array($0.readableBytesView) } == png)
            #expect(try await gateway.call(.post, "/api/v1/tenants/\(tenant)/branding/activate", token: token).status == .ok)
            let live = try await logo(gateway, host: "client.test")
            #expect(live.0 == .ok && live.1 == "image/png" && live.2 == png)
            // Invariant 2: the stored bytes belong to the tenant's owner account.
            let owners = try await gateway.database.client.checkedQuery("SELECT account_id FROM tenant_logos", logger: TestServers.logger) { rows in
                var ids: [UUID] = []
                for try await id in rows.decode(UUID.self) { ids.append(id) }
                return ids
            }
            #expect(owners == [gateway.master])
            // A later branding change keeps the logo.
            #expect(try await gateway.call(.put, "/api/v1/tenants/\(tenant)/branding", token: token, body: #"{"display_name": "Renamed"}"#).status == .ok)
            #expect(try await logo(gateway, host: "client.test").2 == png)
        }
    }

    @Test func svgIsSanitizedAndBadImagesChangeNothing() async throws {
        try await withGateway { gateway in
            _ = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test")
            let tenant = IdentityState.tenantID(forDomain: "client.test").lowercasedString
            let token = try await gateway.login().access
            let svg = ##"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script><circle r="4" fill="#123456"/></svg>"##
            #expect(try await upload(gateway, tenant: tenant, token: token, bytes: Array(svg.utf8), type: "image/svg+xml").0 == .ok)
            #expect(try await gateway.call(.post, "/api/v1/tenants/\(tenant)/branding/activate", token: token).status == .ok)
            let served = String(decoding: try await logo(gateway, host: "client.test").2, as: UTF8.self)
            #expect(served.contains("<circle") && !served.contains("script") && !served.contains("onload"))

            let rows = try await gateway.logRowCount()
            for (bytes, type, expected) in [(Array("GIF89a...".utf8), "image/gif", HTTPResponse.Status.badRequest),
                                            (Array("<html/>".utf8), "image/svg+xml", .badRequest),
                                            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/jpeg", .badRequest),
                                            (Array(repeating: 0xFF, count: 600_000), "image/jpeg", .contentTooLarge)] {
                let (status, text) = try await upload(gateway, tenant: tenant, token: token, bytes: bytes, type: type)
                #expect(status == expected && (status == .contentTooLarge || text.contains(#""logo""#)), "\(type): \(status) \(text)")
            }
            #expect(try await gateway.logRowCount() == rows)
        }
    }
}
