@testable import Core
import Foundation
import Testing

@Suite struct AppendValidationTests {
    let limits = EventLogLimits()
    let stream = try! StreamName(category: "account", id: UUID.v7())

    func request(_ events: [NewEvent], expected: ExpectedVersion = .any, key: String? = nil) -> AppendRequest {
        AppendRequest(stream: stream, accountID: UUID.v7(), expectedVersion: expected, idempotencyKey: key, events: events)
    }

    func code(_ request: AppendRequest) -> EventLogError.Code? {
        do { try request.validate(limits); return nil } catch { return error.code }
    }

    @Test func aWellFormedAppendPasses() {
        #expect(code(request([NewEvent(type: "account.created", data: #"{"name":"Acme"}"#)])) == nil)
    }

    @Test(arguments: [
        ("not json", EventLogError.Code.invalidJSON),
        ("[1,2]", .invalidJSON),
        ("\"text\"", .invalidJSON),
        ("{\"a\":", .invalidJSON),
    ])
    func dataMustBeAJSONObject(data: String, expected: EventLogError.Code) {
        #expect(code(request([NewEvent(type: "account.created", data: data)])) == expected)
    }

    @Test(arguments: ["account", "Account.created", "account.Created", "account.created.twice", ".created", "account.", "account-x.created", "1account.created"])
    func eventTypesAreAggregateDotPastTense(type: String) {
        #expect(code(request([NewEvent(type: type, data: "{}")])) == .invalidEventType)
    }

    @Test func oversizedDataIsRefused() {
        let big = "{\"blob\":\"" + String(repeating: "x", count: limits.maxEventDataBytes) + "\"}"
        #expect(code(request([NewEvent(type: "account.created", data: big)])) == .payloadTooLarge)
    }

    @Test func anAppendNeedsEventsButNotTooMany() {
        #expect(code(request([])) == .emptyAppend)
        let many = (0...limits.maxEventsPerAppend).map { _ in NewEvent(type: "account.touched", data: "{}") }
        #expect(code(request(many)) == .tooManyEvents)
    }

    @Test func eventIDsAreUniqueWithinAnAppend() {
        let id = UUID.v7()
        #expect(code(request([NewEvent(id: id, type: "a.b", data: "{}"), NewEvent(id: id, type: "a.c", data: "{}")])) == .duplicateEventID)
    }

    @Test func schemaVersionsStartAtOne() {
        #expect(code(request([NewEvent(type: "a.b", schemaVersion: 0, data: "{}")])) == .invalidSchemaVersion)
    }

    @Test func exactExpectedVersionsArePositive() {
        #expect(code(request([NewEvent(type: "a.b", data: "{}")], expected: .exactly(0))) == .invalidExpectedVersion)
    }

    @Test(arguments: ["", "has space", String(repeating: "k", count: 201), "tab\tkey", "ключ"])
    func idempotencyKeysArePrintableASCII(key: String) {
        #expect(code(request([NewEvent(type: "a.b", data: "{}")], key: key)) == .invalidIdempotencyKey)
    }
}

@Suite struct StreamNameTests {
    @Test func theWireFormRoundTrips() throws {
        let id = UUID.v7()
        let name = try StreamName(category: "run", id: id)
        #expect(name.rawValue == "run-\(id.uuidString.lowercased())")
        #expect(try StreamName(parsing: name.rawValue) == name)
    }

    @Test(arguments: [
        "account", "account-", "account-not-a-uuid", "Account-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0d",
        "account-0190F0C2-6D1E-7A3B-9C4D-5E6F7A8B9C0D", "-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0d",
        "9account-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0d", "acc ount-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0d",
    ])
    func malformedNamesAreRefusedWithATypedError(raw: String) {
        #expect { try StreamName(parsing: raw) } throws: { ($0 as? EventLogError)?.code == .invalidStreamName }
    }
}
