@testable import Core
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite struct UUIDv7Tests {
    @Test func carriesVersionSevenAndTheRFCVariant() {
        let bytes = UUID.v7().uuid
        #expect(bytes.6 >> 4 == 7)
        #expect(bytes.8 >> 6 == 0b10)
    }

    @Test func hyphenatedParsingTakesTheCanonicalFormOfEitherCaseAndNothingElse() {
        for _ in 0..<200 {
            let id = UUID()
            #expect(UUID(hyphenated: id.lowercasedString) == id)
            #expect(UUID(hyphenated: id.uuidString) == id)
        }
        let text = "3c0b33e5-c1b4-4fb2-838d-5e2274ce092f"
        #expect(UUID(hyphenated: text)?.lowercasedString == text)
        // A slice parses as its own text, not its base's.
        let padded = "stream-" + text + "-tail"
        #expect(UUID(hyphenated: padded.dropFirst(7).dropLast(5)) == UUID(hyphenated: text))
        #expect(UUID(hyphenated: padded.dropFirst(6).dropLast(6)) == nil)
        // Foundation takes the first two; a stream name must not.
        for bad in ["3c0b33e5-c1b4-4fb2-838d-5e2274ce-92f", "-c0b33e5-c1b4-4fb2-838d-5e2274ce092f", "3c0b33e5c1b4-4fb2-838d-5e2274ce092f0",
                    "3c0b33e5-c1b4-4fb2-838d-5e2274ce092", "3c0b33e5-c1b4-4fb2-838d-5e2274ce092f0", "3c0b33e5-c1b4-4fb2-838d-5e2274ce092g",
                    "{c0b33e5-c1b4-4fb2-838d-5e2274ce09}", "", "3c0b33e5-c1b4-4fb2-838d-5e2274ce092\u{e9}"] {
            #expect(UUID(hyphenated: bad) == nil, "\(bad)")
        }
    }

    @Test func sortsByTime() {
        let earlier = UUID.v7(at: Date(timeIntervalSince1970: 1_700_000_000))
        let later = UUID.v7(at: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(earlier.uuidString < later.uuidString)
    }

    @Test func idsAreVersion7WithTheirMillisecondAndNeverRepeat() {
        let now = Date(timeIntervalSince1970: 1_800_000_000.123)
        // Across several refills of the random pool (10 bytes an id, 4096 a refill).
        let ids = (0..<5_000).map { _ in UUID.v7(at: now) }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 7 && bytes[8] >> 6 == 0b10)
            #expect(bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == 1_800_000_000_123)
        }
        // The random part is not constant: each of its 74 bits takes both values over the run.
        let randomBits = ids.map { withUnsafeBytes(of: $0.uuid) { Array($0[6...]) } }
        let ones = randomBits.reduce(into: [UInt8](repeating: 0, count: 10)) { or, bytes in for i in 0..<10 { or[i] |= bytes[i] } }
        let zeros = randomBits.reduce(into: [UInt8](repeating: 0xFF, count: 10)) { and, bytes in for i in 0..<10 { and[i] &= bytes[i] } }
        #expect(ones[0] & 0x0F == 0x0F && ones[2] & 0x3F == 0x3F && ones[1] == 0xFF && ones[3...].allSatisfy { $0 == 0xFF })
        #expect(zeros[0] & 0x0F == 0 && zeros[2] & 0x3F == 0 && zeros[1] == 0 && zeros[3...].allSatisfy { $0 == 0 })
    }
}

extension UUIDv7Tests {
    /// Each thread draws from a page of randomness of its own: ids made at once on several threads, in
    /// the same millisecond, still never repeat.
    @Test func idsMadeOnManyThreadsAtOnceNeverRepeat() {
        let now = Date(timeIntervalSince1970: 1_800_000_000.456)
        let made = Mutex<[UUID]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let ids = (0..<3_000).map { _ in UUID.v7(at: now) }
            made.withLock { $0 += ids }
        }
        let ids = made.withLock { $0 }
        #expect(ids.count == 24_000)
        #expect(Set(ids).count == ids.count)
    }
}

@Suite struct WireJSONTests {
    struct Sample: Codable, Equatable {
        var actingAccountID: UUID
        var callbackURL: String
        var recordedAt: Date
        var groupIDs: [Int]
        var mirrorURLs: [String]
    }

    @Test func keyConversionsAreTheSameOnceTheirCacheIsFull() {
        // More keys than the cache keeps (4,096): the ones past it are converted each time, identically.
        for index in 0..<5_000 {
            let camel = "owner\(index)AccountIDs", snake = "owner_\(index)_account_ids"
            #expect(SnakeCaseKey.snakeCased(camel) == SnakeCaseKey(snakeCasing: camel).stringValue)
            #expect(SnakeCaseKey.camelCased(snake) == SnakeCaseKey(camelCasing: snake).stringValue)
            #expect(SnakeCaseKey.snakeCased(camel) == SnakeCaseKey(snakeCasing: camel).stringValue, "a cached answer")
        }
    }

    @Test func keysAreSnakeCaseAndAcronymsRoundTrip() throws {
        let sample = Sample(actingAccountID: UUID.v7(), callbackURL: "https://x", recordedAt: Date(timeIntervalSince1970: 1_700_000_000.123),
                            groupIDs: [1], mirrorURLs: [])
        let text = try WireJSON.encodeToString(sample)
        #expect(text.contains("\"acting_account_id\""))
        #expect(text.contains("\"callback_url\""))
        #expect(text.contains("\"group_ids\"") && text.contains("\"mirror_urls\""))
        #expect(text.contains("\"2023-11-14T22:13:20.123Z\""))
        #expect(try WireJSON.decode(Sample.self, from: text) == sample)
    }

    @Test func metadataUsesTheSameConvention() throws {
        let metadata = EventMetadata(actor: "user:1", actingAccountID: UUID.v7(), requestID: "r-1")
        let text = try WireJSON.encodeToString(metadata)
        #expect(text.contains("\"acting_account_id\""))
        #expect(try WireJSON.decode(EventMetadata.self, from: text) == metadata)
    }
}

@Suite struct SQLScriptTests {
    @Test func splitsAtTopLevelSemicolonsOnly() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'a;b');
            /* block; /* nested; */ still comment; */
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
            CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $body$ SELECT 'x;y' $body$;
            SELECT "odd;name" FROM a
            """
        let statements = SQLScript.statements(sql)
        #expect(statements.count == 4)
        #expect(statements[0].hasSuffix("DEFAULT 'a;b')"))
        #expect(statements[1].contains("RETURN 1; END; $$"))
        #expect(statements[2].contains("$body$ SELECT 'x;y' $body$"))
        #expect(statements[3] == "SELECT \"odd;name\" FROM a")
    }

    @Test func doubledQuotesStayInsideTheirString() {
        #expect(SQLScript.statements("SELECT 'it''s; fine'; SELECT 2").count == 2)
    }

    @Test func theEventLogMigrationSplitsIntoWholeStatements() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schemas/sql/0001_event_log.sql")
        let statements = SQLScript.statements(try String(contentsOf: file, encoding: .utf8))
        #expect(statements.contains { $0.hasPrefix("CREATE FUNCTION append_events") && $0.hasSuffix("$$") })
        #expect(statements.filter { $0.hasPrefix("CREATE TABLE") }.count == 4)
    }
}

@Suite struct URLTests {
    @Test func databaseURLsParseAndNeverPrintThePassword() throws {
        let url = try DatabaseURL("postgres://canopy:s3cret@127.0.0.1:5433/canopy")
        #expect(url.host == "127.0.0.1" && url.port == 5433 && url.username == "canopy" && url.password == "s3cret" && url.database == "canopy")
        #expect(!url.description.contains("s3cret"))
        #expect(try DatabaseURL(url.urlString) == url)
        #expect(throws: DatabaseURL.Invalid.self) { try DatabaseURL("mysql://x@y/z") }
    }

    @Test func amqpURLsDecodeTheVirtualHost() throws {
        let endpoint = try AMQPEndpoint("amqp://guest:pw@127.0.0.1:5673/%2f")
        #expect(endpoint.virtualHost == "/" && endpoint.port == 5673 && !endpoint.usesTLS)
        #expect(try AMQPEndpoint("amqps://u:p@broker/tenants").port == 5671)
        #expect(try AMQPEndpoint("amqps://u:p@broker/tenants").virtualHost == "tenants")
        #expect(!endpoint.description.contains("pw"))
    }
}

@Suite struct LogWatermarkTests {
    @Test func aWaiterWakesWhenTheMarkIsPassed() async {
        let watermark = LogWatermark()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await watermark.wait(beyond: 5, timeout: .seconds(3600)) }
            try? await Task.sleep(for: .milliseconds(20))
            watermark.advance(to: 5)   // not beyond 5 yet
            watermark.advance(to: 6)
            await group.waitForAll()
        }
        #expect(watermark.position == 6)
    }

    @Test func aWaiterGivesUpAtItsTimeout() async {
        let watermark = LogWatermark()
        await watermark.wait(beyond: 1, timeout: .milliseconds(10))
        #expect(watermark.position == 0)
    }

    @Test func aCancelledWaiterReturnsAtOnce() async {
        let watermark = LogWatermark()
        let start = ContinuousClock.now
        let waiting = Task { await watermark.wait(beyond: 1, timeout: .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await waiting.value
        // Well before the 30 s timeout; loose, since CPU-bound suites can hold both cooperative threads a while.
        #expect(ContinuousClock.now - start < .seconds(15))
        #expect(watermark.idleSince != nil)
    }

    @Test func theWatermarkNeverMovesBack() {
        let watermark = LogWatermark()
        watermark.advance(to: 10)
        watermark.advance(to: 3)
        #expect(watermark.position == 10)
    }
}

@Suite struct LogWatermarkDemandTests {
    @Test func demandAppearsWithTheFirstWaiterAndIdlenessAfterTheLast() async {
        let watermark = LogWatermark()
        #expect(watermark.idleSince != nil)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await watermark.waitForDemand() }
            group.addTask { await watermark.wait(beyond: 0, timeout: .seconds(3600)) }
            await group.next()   // the demand wait returns because a waiter came
            #expect(watermark.idleSince == nil)
            watermark.advance(to: 1)
            await group.waitForAll()
        }
        #expect(watermark.idleSince != nil)
    }
}
