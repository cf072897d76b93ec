import CanopyTesting
import Core
import Foundation
import Gateway
import Testing

/// SMS login end to end: the gateway sends the code through a real local Twilio-compatible server, and the
/// code from that message logs in; wrong codes, rate limits, unknown phones and provider failures.
@Suite struct SmsLoginTests {
    static let phone = "+5511987654321"

    func withSms(configure: @escaping @Sendable (inout IdentityAPI.Configuration) -> Void = { _ in },
                 _ body: @escaping @Sendable (GatewayHarness, TwilioServer) async throws -> Void) async throws {
        let twilio = TwilioServer()
        try await twilio.serve { base in
            let sms = SmsProvider(configuration: .init(baseURL: base, accountSID: TwilioServer.accountSID, authToken: TwilioServer.authToken, from: "+15005550006"))
            try await withGateway(sms: sms, configure: configure) { gateway in
                _ = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test", phone: Self.phone)
                try await body(gateway, twilio)
            }
        }
    }

    static func code(in message: TwilioServer.Message) -> String? {
        message.body.split(separator: " ").first.map(String.init).flatMap { $0.count == 6 && $0.allSatisfy(\.isNumber) ? $0 : nil }
    }

    @Test func theCodeSentBySmsLogsInOnItsDomain() async throws {
        try await withSms { gateway, twilio in
            let asked = try await gateway.call(.post, "/api/v1/auth/sms", host: "client.test", body: #"{"phone": "\#(Self.phone)"}"#)
            #expect(asked.status == .accepted, "\(asked.text)")
            let challenge = try #require(asked.string("challenge_id"))
            let message = try #require(twilio.messages.last)
            #expect(message.to == Self.phone && message.from == "+15005550006" && message.body.contains("client.test"))
            let code = try #require(Self.code(in: message))
            // Only a keyed hash of the code is in the log.
            let rows = try await gateway.database.client.checkedQuery("SELECT data::text FROM events WHERE type = 'sms_code.issued'", logger: TestServers.logger) { rows in
                var texts: [String] = []
                for try await text in rows.decode(String.self) { texts.append(text) }
                return texts
            }
            #expect(rows.count == 1 && !rows[0].contains("\"\(code)\""))
            let verified = try await gateway.call(.post, "/api/v1/auth/sms/verify", host: "client.test", body: #"{"challenge_id": "\#(challenge)", "code": "\#(code)"}"#)
            #expect(verified.status == .ok && verified.string("refresh_token") != nil, "\(verified.text)")
            let me = try await gateway.call(.get, "/api/v1/me", host: "client.test", token: verified.string("access_token"))
            #expect(me.status == .ok && me.string("email") == "owner@client.test")
            // Used once.
            let again = try await gateway.call(.post, "/api/v1/auth/sms/verify", host: "client.test", body: #"{"challenge_id": "\#(challenge)", "code": "\#(code)"}"#)
            #expect(again.status == .unauthorized && again.errorCode == "auth.invalid_code")
        }
    }

    @Test func fiveWrongCodesSpendTheChallenge() async throws {
        try await withSms { gateway, twilio in
            let asked = try await gateway.call(.post, "/api/v1/auth/sms", host: "client.test", body: #"{"phone": "\#(Self.phone)"}"#)
            let challenge = try #require(asked.string("challenge_id")), code = try #require(twilio.messages.last.flatMap(Self.code))
            let wrong = code == "000000" ? "111111" : "000000"
            for _ in 1...5 {
                let refused = try await gateway.call(.post, "/api/v1/auth/sms/verify", host: "client.test", body: #"{"challenge_id": "\#(challenge)", "code": "\#(wrong)"}"#)
                #expect(refused.status == .unauthorized && refused.errorCode == "auth.invalid_code")
            }
            let late = try await gateway.call(.post, "/api/v1/auth/sms/verify", host: "client.test", body: #"{"challenge_id": "\#(challenge)", "code": "\#(code)"}"#)
            #expect(late.status == .unauthorized, "the right code after five wrong ones: \(late.text)")
            #expect(try await gateway.metadata(ofType: SmsCodeFailed.type).count == 5)
        }
    }

    @Test func unknownPhonesGetTheSameAnswerAndNoMessage() async throws {
        try await withSms { gateway, twilio in
            let unknown = try await gateway.call(.post, "/api/v1/auth/sms", host: "client.test", body: #"{"phone": "+5511900000000"}"#)
            #expect(unknown.status == .accepted && unknown.string("challenge_id") != nil)
            // A known phone on a domain where its user has no account: the same.
            let elsewhere = try await gateway.call(.post, "/api/v1/auth/sms", body: #"{"phone": "\#(Self.phone)"}"#)
            #expect(elsewhere.status == .accepted)
            #expect(twilio.messages.isEmpty)
            let bad = try await gateway.call(.post, "/api/v1/auth/sms", host: "client.test", body: #"{"phone": "12345"}"#)
            #expect(bad.status == .badRequest && bad.errorFields["phone"] != nil)
        }
    }

    @Test func codesAreRateLimitedPerPhoneAndPerAddress() async throws {
        try await withSms(configure: { $0.smsPerIP.limit = 5 }) { gateway, twilio in
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(Int(try await gateway.call(.post, "/api/v1/auth/sms", host: "client.test", body: #"{"phone": "\#(Self.phone)"}"#).status.code)) }
            #expect(statuses == [202, 202, 202, 429], "per phone: 3 in 10 minutes")
            #expect(twilio.messages.count == 3)
            // Other phones from the same address: the address's limit (5, the 4 above included) stops the second.
            statuses = []
            for index in 0..<2 { statuses.append(Int(try await gateway.call(.post, "/api/v1/auth/sms", host: "client.test", body: #"{"phone": "+551190000000\#(index)"}"#).status.code)) }
            #expect(statuses == [202, 429])
        }
    }

    @Test func aProviderFailureIsATypedAnswer() async throws {
        try await withSms { gateway, twilio in
            twilio.failing.withLock { $0 = 500 }
            let asked = try await gateway.call(.post, "/api/v1/auth/sms", host: "client.test", body: #"{"phone": "\#(Self.phone)"}"#)
            #expect(asked.status == .badGateway && asked.errorCode == "auth.sms_not_sent")
        }
    }
}

@Suite struct SmsUnavailableTests {
    @Test func withoutAProviderAskingForACodeIsA404() async throws {
        try await withGateway { gateway in
            let reply = try await gateway.call(.post, "/api/v1/auth/sms", body: #"{"phone": "+5511987654321"}"#)
            #expect(reply.status == .notFound && reply.errorCode == "auth.sms_unavailable")
        }
    }
}
