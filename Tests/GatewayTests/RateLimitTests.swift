import CanopyTesting
import Foundation
import Gateway
import HummingbirdTesting
import Testing

/// Rate limits live in PostgreSQL, so every gateway on a database counts against the same limits.
@Suite struct RateLimitTests {
    @Test func aLimitPerAddressHoldsAcrossConnections() async throws {
        try await withGateway(configure: { $0.loginPerIP.limit = 3 }) { gateway in
            var statuses: [Int] = []
            // A new connection (a new source port) for each attempt, and a new email each time: only the
            // address is the same.
            for index in 0..<4 {
                let status = try await gateway.overNewConnection { fresh in
                    try await fresh.login("nobody\(index)@platform.test", password: "wrong").reply.status.code
                }
                statuses.append(status)
            }
            #expect(statuses == [401, 401, 401, 429])
        }
    }

    @Test func forwardedForNamesTheClientOnlyBehindATrustedProxy() async throws {
        @Sendable func attempts(_ gateway: GatewayHarness, forwardedFor addresses: [String]) async throws -> [Int] {
            var statuses: [Int] = []
            for (index, address) in addresses.enumerated() {
                let reply = try await gateway.call(.post, "/api/v1/auth/login", body: #"{"email": "nobody\#(index)@platform.test", "password": "wrong"}"#,
                                                   headers: [.init("X-Forwarded-For")!: "198.51.100.1, \(address)"])
                statuses.append(Int(reply.status.code))
            }
            return statuses
        }
        try await withGateway(configure: { $0.loginPerIP.limit = 2; $0.trustedProxies = try! TrustedProxies("127.0.0.1") }) { gateway in
            let statuses = try await attempts(gateway, forwardedFor: ["203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2"])
            #expect(statuses == [401, 401, 429, 401], "each forwarded client has its own limit")
        }
        try await withGateway(configure: { $0.loginPerIP.limit = 2 }) { gateway in
            let statuses = try await attempts(gateway, forwardedFor: ["203.0.113.1", "203.0.113.2", "203.0.113.3"])
            #expect(statuses == [401, 401, 429], "an untrusted peer cannot pick its address")
        }
    }

    @Test func twoGatewaysOnOneDatabaseShareTheirLimits() async throws {
        let perEmail: @Sendable (inout IdentityAPI.Configuration) -> Void = { $0.loginPerEmail.limit = 2 }
        try await withGateway(configure: perEmail) { first in
            try await withGateway(store: first.store, database: first.database, platform: first.master, configure: perEmail) { second in
                let wrongOnFirst = try await first.login(password: "wrong").reply, wrongOnSecond = try await second.login(password: "wrong").reply
                #expect(wrongOnFirst.status == .unauthorized && wrongOnSecond.status == .unauthorized)
                // Each gateway has seen one attempt only; together they have seen the limit.
                let rightOnFirst = try await first.login().reply, rightOnSecond = try await second.login().reply
                #expect(rightOnFirst.errorCode == "auth.rate_limited" && rightOnSecond.errorCode == "auth.rate_limited")
            }
        }
    }

    @Test func theWindowSlidesAndAFullRuleStopsTheRulesAfterIt() async throws {
        try await withEventStore { _, database in
            let limits = RateLimits(client: database.client, logger: TestServers.logger)
            let rule = RateLimits.Rule(bucket: "test.window", limit: 2, window: .seconds(60))
            #expect(try await limits.allow((rule, "k")))
            #expect(try await limits.allow((rule, "k")))
            #expect(try await !limits.allow((rule, "k")))
            #expect(try await limits.allow((rule, "other key")))
            // Time passes (the counted attempts moved back, as the clock moving on would): the oldest leaves
            // the window first, so one attempt is allowed again, then the window is full again.
            try await Self.age(database, bucket: "test.window", oldestBy: 61, othersBy: 30)
            #expect(try await limits.allow((rule, "k")))
            #expect(try await !limits.allow((rule, "k")))

            // `first` is full after one attempt; `after` then counts nothing while `first` refuses.
            let first = RateLimits.Rule(bucket: "test.first", limit: 1, window: .seconds(60))
            let after = RateLimits.Rule(bucket: "test.after", limit: 3, window: .seconds(60))
            #expect(try await limits.allow((first, "k"), (after, "k")))
            for _ in 0..<3 { #expect(try await !limits.allow((first, "k"), (after, "k"))) }
            #expect(try await limits.allow((after, "k")))
            #expect(try await limits.allow((after, "k")))
            #expect(try await !limits.allow((after, "k")), "3 counted: 1 with `first`, 2 alone")
        }
    }

    @Test func attemptsAtOnceNeverPassTheLimit() async throws {
        try await withEventStore { _, database in
            let limits = RateLimits(client: database.client, logger: TestServers.logger)
            let rule = RateLimits.Rule(bucket: "test.race", limit: 5, window: .seconds(60))
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<24 { group.addTask { try await limits.allow((rule, "k")) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed == 5)
        }
    }

    @Test func expiredCountersGoAwayAndNoKeyIsKeptInClear() async throws {
        try await withEventStore { _, database in
            let limits = RateLimits(client: database.client, logger: TestServers.logger)
            let rule = RateLimits.Rule(bucket: "test.expiry", limit: 5, window: .seconds(60))
            for index in 0..<25 { #expect(try await limits.allow((rule, "user\(index)@example.test"))) }
            let keys = try await database.client.checkedQuery("SELECT key_hash FROM rate_limit_hits", logger: TestServers.logger) { rows in
                var keys: [String] = []
                for try await key in rows.decode(String.self) { keys.append(key) }
                return keys
            }
            #expect(keys.count == 25)
            #expect(keys.allSatisfy { $0.count == 64 && $0.allSatisfy(\.isHexDigit) })
            try await Self.age(database, bucket: "test.expiry", oldestBy: 61, othersBy: 61)
            // Each attempt removes up to 10 expired counters.
            for _ in 0..<3 { #expect(try await limits.allow((rule, "someone else"))) }
            let left = try await database.client.checkedQuery("SELECT count(*) FROM rate_limit_hits", logger: TestServers.logger) { rows in
                for try await count in rows.decode(Int64.self) { return count }
                return -1
            }
            #expect(left == 1)
        }
    }

    /// Moves a bucket's counted attempts (and expiry) back in time: its oldest attempt of each key by
    /// `oldestBy` seconds, the others by `othersBy`.
    static func age(_ database: TestDatabase, bucket: String, oldestBy oldest: Int, othersBy others: Int) async throws {
        _ = try await database.client.checkedQuery("""
            UPDATE rate_limit_hits SET
              hits = ARRAY(SELECT h - make_interval(secs => CASE WHEN o = 1 THEN \(oldest) ELSE \(others) END)
                             FROM unnest(hits) WITH ORDINALITY AS u(h, o) ORDER BY o),
              expires_at = expires_at - make_interval(secs => \(others))
            WHERE bucket = \(bucket)
            """, logger: TestServers.logger) { _ in }
    }
}
