import CanopyTesting
import Core
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
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
            // Invariants 1 and 2: the bytes are an event of the tenant's stream, bound to its owner account;
            // nothing is kept beside the log.
            let uploads = try await gateway.store.readStream(IdentityStreams.tenant(IdentityState.tenantID(forDomain: "client.test"))).filter { $0.type == "tenant.logo_uploaded" }
            #expect(uploads.map(\.accountID) == [gateway.master])
            #expect(try uploads.first.map { Array(try $0.decodeData(as: TenantLogoUploaded.self).bytes) } == png)
            #expect(try await tenantLogoRows(gateway) == 0)
            // A later branding change keeps the logo.
            #expect(try await gateway.call(.put, "/api/v1/tenants/\(tenant)/branding", token: token, body: #"{"display_name": "Renamed"}"#).status == .ok)
            #expect(try await logo(gateway, host: "client.test").2 == png)
        }
    }

    func tenantLogoRows(_ gateway: GatewayHarness) async throws -> Int64 {
        try await gateway.database.client.checkedQuery("SELECT count(*) FROM tenant_logos", logger: TestServers.logger) { rows in
            for try await count in rows.decode(Int64.self) { return count }
            return 0
        }
    }

    /// Invariant 1: a gateway whose identity view is folded from the log alone serves the logo, byte for byte,
    /// and answers 304 to a client that holds it already.
    @Test func aLogoIsServedFromTheLogAlone() async throws {
        try await withEventStore { store, database in
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let platform = Mutex<UUID?>(nil)
            try await withGateway(store: store, database: database) { gateway in
                platform.withLock { $0 = gateway.master }
                _ = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test")
                let tenant = IdentityState.tenantID(forDomain: "client.test").lowercasedString
                let token = try await gateway.login().access
                #expect(try await upload(gateway, tenant: tenant, token: token, bytes: png, type: "image/png").0 == .ok)
                // The same image again is named by a new draft, not stored twice.
                let uploads = try await gateway.metadata(ofType: "tenant.logo_uploaded").count
                #expect(try await upload(gateway, tenant: tenant, token: token, bytes: png, type: "image/png").0 == .ok)
                #expect(try await gateway.metadata(ofType: "tenant.logo_uploaded").count == uploads)
                #expect(try await gateway.call(.post, "/api/v1/tenants/\(tenant)/branding/activate", token: token).status == .ok)
            }
            try await withGateway(store: store, database: database, platform: platform.withLock { $0 }) { gateway in
                #expect(try await tenantLogoRows(gateway) == 0)
                let served = try await logo(gateway, host: "client.test")
                #expect(served.0 == .ok && served.1 == "image/png" && served.2 == png)
                let tag = "\"\(try LogoImage(bytes: png, declaredType: "image/png").reference.sha256)\""
                let cached = try await gateway.call(.get, "/api/v1/tenant/logo", host: "client.test", headers: [.ifNoneMatch: "\"other\", \(tag)"])
                #expect(cached.status == .notModified && cached.text.isEmpty && cached.headers[.eTag] == tag)
            }
        }
    }

    /// A logo uploaded before migration 0009 has its bytes in tenant_logos, and is still served from there.
    @Test func aLogoUploadedBeforeTheLogHeldThemIsServedFromTenantLogos() async throws {
        try await withGateway { gateway in
            _ = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test")
            let tenant = IdentityState.tenantID(forDomain: "client.test")
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4]
            let reference = try LogoImage(bytes: png, declaredType: "image/png").reference
            // What the upload route wrote then: the bytes beside the log, then a draft naming them.
            try await gateway.database.client.checkedQuery("""
                INSERT INTO tenant_logos (account_id, sha256, content_type, bytes) VALUES (\(gateway.master), \(reference.sha256), 'image/png', \(ByteBuffer(bytes: png)))
                """, logger: TestServers.logger) { _ in }
            let drafted = #"{"tenant_id": "\#(tenant.lowercasedString)", "owner_account_id": "\#(gateway.master.lowercasedString)", "branding": {"display_name": "Old", "logo": {"sha256": "\#(reference.sha256)", "content_type": "image/png", "size": \#(png.count)}}}"#
            let written = try await gateway.store.append(AppendRequest(stream: IdentityStreams.tenant(tenant), accountID: gateway.master, expectedVersion: .any,
                                                                       events: [NewEvent(type: "tenant.branding_drafted", data: drafted, metadata: .init(actor: "system:test"))]))
            #expect(await gateway.view.waitUntilApplied(written.lastPosition, timeout: .seconds(5)))
            let token = try await gateway.login().access
            #expect(try await gateway.call(.post, "/api/v1/tenants/\(tenant.lowercasedString)/branding/activate", token: token).status == .ok)
            let served = try await logo(gateway, host: "client.test")
            #expect(served.0 == .ok && served.2 == png)
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
