import CanopyTesting
@testable import Core
import Foundation
import Testing

/// `schemas/events/` holds one JSON Schema per event type. Every identity event type has one, every file
/// names a type that exists, and the events the commands really decide validate against their schema.
@Suite struct EventSchemaTests {
    static let directory = TestServers.schemasDirectory.appendingPathComponent("events")

    static func schema(_ type: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(type).json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// One scenario through the real commands that decides every identity event type at least once.
    static func everyKindOfEvent() throws -> [IdentityEvent] {
        var fixture = IdentityFixture()
        let (master, root, platform, now) = (fixture.master, fixture.rootUser, fixture.platformTenant, Date(timeIntervalSince1970: 1_800_000_000))
        let client = try fixture.account(roles: [.userAdmin, .tenantAdmin])
        try fixture.when { try TenantCommands.createTenant($0, owner: client, primaryDomain: "brand.example", branding: .init(displayName: "Brand")) }
        let brand = IdentityState.tenantID(forDomain: "brand.example")
        try fixture.when {
            try TenantCommands.changeBranding($0, owner: client, tenant: brand,
                                              branding: .init(displayName: "Brand", description: "d", primaryColor: "#112233", secondaryColor: "#445566", layout: .topbar))
        }
        try fixture.when { try TenantCommands.draftBranding($0, owner: client, tenant: brand, branding: .init(displayName: "Brand 2", layout: .compact)) }
        let logo = try LogoImage(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3], declaredType: "image/png")
        try fixture.when { try TenantCommands.draftLogo($0, owner: client, tenant: brand, image: logo) }
        try fixture.when { try TenantCommands.activateDraft($0, owner: client, tenant: brand) }
        try fixture.when { try TenantCommands.delegateFields($0, owner: client, tenant: brand, fields: [.primaryColor, .layout]) }
        try fixture.when { try TenantCommands.addDomain($0, owner: client, tenant: brand, domain: "www.brand.example") }
        try fixture.when { try TenantCommands.removeDomain($0, owner: client, tenant: brand, domain: "www.brand.example") }
        try fixture.when { try AccountCommands.suspend($0, by: master, account: client) }
        try fixture.when { try AccountCommands.reactivate($0, by: master, account: client) }
        let agent = fixture.group("agent", of: client)
        try fixture.when {
            try AccessCommands.addUser($0, actingIn: client, account: client, email: "ana@example.com", name: "Ana", passwordHash: "$2b$04$x",
                                       phone: "+5511987654321", groupIDs: [agent])
        }
        let ana = IdentityState.userID(forEmail: "ana@example.com")
        let challenge = UUID.v7(), codeHash = String(repeating: "c", count: 64)
        try fixture.when { try SmsCodeCommands.issue($0, challengeID: challenge, user: ana, account: client, tenant: platform, codeHash: codeHash, now: now) }
        for presented in ["0" + codeHash.dropFirst(), codeHash] {
            try fixture.when { state in
                switch try SmsCodeCommands.verify(state, challengeID: challenge, tenant: platform, presentedHash: presented, now: now) {
                case .accepted(_, let events), .rejected(let events): events
                }
            }
        }
        try fixture.when { try AccessCommands.renameGroup($0, actingIn: client, group: agent, name: "Field agents") }
        try fixture.when { try AccessCommands.editUser($0, actingIn: client, account: client, user: ana, name: "Ana Maria", phone: "+5511900001111") }
        try fixture.when { try AccessCommands.revokeAccess($0, actingIn: client, account: client, user: IdentityState.userID(forEmail: "ana@example.com")) }
        let session = UUID.v7(), hash = String(repeating: "a", count: 64)
        try fixture.when {
            try SessionCommands.start($0, sessionID: session, user: root, account: master, tenant: platform, tokenHash: hash, method: "password",
                                      now: now, lifetimes: .init())
        }
        try fixture.when { state in
            guard case .rotated(let events) = try SessionCommands.refresh(state, sessionID: session, presentedHash: hash, newHash: "b", now: now, lifetimes: .init()) else { return [] }
            return events
        }
        try fixture.when { try UserCommands.changePassword($0, user: root, passwordHash: "$2b$12$" + String(repeating: "x", count: 53), keeping: nil, now: now) }
        try fixture.when { try SessionCommands.revoke($0, sessionID: session, user: root, reason: "logout", now: now) }
        let impersonation = UUID.v7()
        try fixture.when { try ImpersonationCommands.start($0, impersonationID: impersonation, superAdmin: root, actingIn: master, account: client, now: now, lifetime: .seconds(60)) }
        try fixture.when { try ImpersonationCommands.end($0, impersonationID: impersonation, by: root, through: nil) }
        let key = UUID.v7()
        try fixture.when {
            try ApiKeyCommands.create($0, apiKeyID: key, creator: root, actingIn: master, account: client, name: "CRM", permissions: [.init(permission: .statsRead, scope: .account)],
                                      secretHash: hash, now: now, expiresAt: now.addingTimeInterval(3600))
        }
        try fixture.when { ApiKeyCommands.recordUse($0, apiKeyID: key, now: now) }
        try fixture.when { try ApiKeyCommands.revoke($0, account: client, apiKeyID: key) }
        return fixture.events
    }

    @Test func everyEventTypeHasASchemaAndEveryDecidedEventMatchesIt() throws {
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) })
        let types = Set(IdentityEvent.types)
        #expect(files == types, "without a schema: \(types.subtracting(files).sorted()); without a type: \(files.subtracting(types).sorted())")
        let events = try Self.everyKindOfEvent()
        #expect(Set(events.map(\.type)) == types, "the scenario misses \(types.subtracting(events.map(\.type)).sorted())")
        for event in events {
            let data = try event.newEvent(metadata: .init()).data
            let instance = try JSONSerialization.jsonObject(with: Data(data.utf8))
            let problems = SchemaCheck.problems(instance, against: try Self.schema(event.type))
            #expect(problems.isEmpty, "\(event.type): \(problems) in \(data)")
        }
    }

    @Test func theCheckCatchesWhatASchemaForbids() throws {
        let schema = try Self.schema(AccountSuspended.type)
        let good: [String: Any] = ["account_id": UUID.v7().uuidString, "by_account_id": UUID.v7().uuidString]
        #expect(SchemaCheck.problems(good, against: schema).isEmpty)
        #expect(!SchemaCheck.problems(good.merging(["extra": 1]) { a, _ in a }, against: schema).isEmpty)
        #expect(!SchemaCheck.problems(["account_id": "not-a-uuid", "by_account_id": UUID.v7().uuidString], against: schema).isEmpty)
        #expect(!SchemaCheck.problems(["account_id": UUID.v7().uuidString], against: schema).isEmpty)
    }
}

/// The part of JSON Schema our event schemas use: type, properties, required, additionalProperties, items,
/// minItems, enum, pattern, and the uuid and date-time formats.
enum SchemaCheck {
    static func problems(_ value: Any, against schema: [String: Any], at path: String = "$") -> [String] {
        var found: [String] = []
        if let values = schema["enum"] as? [String], !values.contains(value as? String ?? "\u{0}") { found.append("\(path): not one of \(values)") }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return found + ["\(path): not an object"] }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil { found.append("\(path).\(name): required") }
            for (name, member) in object {
                if let property = properties[name] {
                    found += problems(member, against: property, at: "\(path).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path).\(name): not allowed")
                }
            }
        case "array":
            guard let array = value as? [Any] else { return found + ["\(path): not an array"] }
            if let minimum = schema["minItems"] as? Int, array.count < minimum { found.append("\(path): fewer than \(minimum) items") }
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { found += problems(item, against: items, at: "\(path)[\(index)]") }
            }
        case "string":
            guard let text = value as? String else { return found + ["\(path): not a string"] }
            switch schema["format"] as? String {
            case "uuid": if UUID(uuidString: text) == nil { found.append("\(path): not a uuid") }
            case "date-time": if RFC3339.date(from: text) == nil { found.append("\(path): not an RFC 3339 time") }
            default: break
            }
            if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
                found.append("\(path): does not match \(pattern)")
            }
        case "integer":
            if !(value is Int) { found.append("\(path): not an integer") }
        case "boolean":
            if !(value is Bool) { found.append("\(path): not a boolean") }
        default:
            break
        }
        return found
    }
}
