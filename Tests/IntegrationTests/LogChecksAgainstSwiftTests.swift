import CanopyTesting
@testable import Core
import Foundation
import PostgresNIO
import Testing

/// The log checks stream names (where a stream is first written, `event_streams`) and event types (`events`)
/// itself, so no writer can bypass the rules the Swift side validates first. The two must agree exactly: a
/// name Swift accepts and the log refuses would fail a whole batch; one the log accepts and Swift refuses
/// would let a raw writer through. Each probe goes through `append_events`, the log's one writer.
@Suite struct LogChecksAgainstSwiftTests {
    @Test func streamAndTypeChecksAcceptExactlyWhatSwiftAccepts() async throws {
        var random = SystemRandomNumberGenerator()
        // Each stream beside a valid type, each type beside a fresh valid stream: either check alone decides.
        let streams = (0..<400).map { _ in Self.streamName(using: &random) } + Self.edgeStreams
        let types = (0..<400).map { _ in Self.eventType(using: &random) } + Self.edgeTypes
        let rows = streams.map { ($0, "probe.checked") } + types.map { ("probe-\(UUID().uuidString.lowercased())", $0) }
        try await TestDatabase.with { database in
            // A refused row is a check violation and nothing else (a failed cast would be a different error).
            try await database.client.query("""
                CREATE FUNCTION accepts_row(s text, t text) RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM append_events(ARRAY[s], ARRAY[gen_random_uuid()], ARRAY[-1::bigint], ARRAY[''], ARRAY[1],
                                          ARRAY[gen_random_uuid()], ARRAY[t], ARRAY[1], ARRAY['{}'], ARRAY['{}']);
                    RETURN true;
                EXCEPTION WHEN check_violation THEN RETURN false;
                END $$
                """, logger: TestServers.logger)
            let accepted = try await Self.verdicts(database, rows)
            var disagreements: [String] = []
            for ((stream, type), postgres) in zip(rows, accepted) {
                let swift = (try? StreamName(parsing: stream)) != nil && NewEvent.isValidType(type)
                if swift != postgres { disagreements.append("\(stream) \(type): swift \(swift), postgres \(postgres)") }
            }
            #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
            #expect(accepted.prefix(streams.count).contains(true) && accepted.prefix(streams.count).contains(false))
            #expect(accepted.suffix(types.count).contains(true) && accepted.suffix(types.count).contains(false))
        }
    }

    /// The name check is the column's type (migration 0008), so it holds for every write of a name, not only
    /// the first: a stream row cannot be renamed to a name the log would refuse.
    @Test func aStreamNameCannotBeRewrittenPastTheCheck() async throws {
        try await withEventStore { store, database in
            let (stream, account) = (newStream("probe"), UUID.v7())
            _ = try await store.append(AppendRequest(stream: stream, accountID: account, events: [event()]))
            _ = try await store.append(AppendRequest(stream: stream, accountID: account, expectedVersion: .exactly(1), events: [event()]))
            for name in ["Probe-\(UUID().uuidString.lowercased())", "probe", stream.rawValue + "x"] {
                let error = await #expect(throws: PSQLError.self) {
                    try await database.client.query("UPDATE event_streams SET stream = \(name) WHERE stream = \(stream.rawValue)", logger: TestServers.logger)
                }
                #expect(error?.serverInfo?[.sqlState] == "23514", "\(name)")
            }
            #expect(try await database.count("event_streams") == 1)
        }
    }

    private static func verdicts(_ database: TestDatabase, _ rows: [(String, String)]) async throws -> [Bool] {
        let streams = rows.map(\.0), types = rows.map(\.1)
        let answers = try await database.client.query(
            "SELECT accepts_row(s, t) FROM unnest(\(streams)::text[], \(types)::text[]) WITH ORDINALITY AS r(s, t, o) ORDER BY o",
            logger: TestServers.logger
        )
        var verdicts: [Bool] = []
        for try await accepted in answers.decode(Bool.self) { verdicts.append(accepted) }
        #expect(verdicts.count == rows.count)
        return verdicts
    }

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789_") + ["A", "Z", "-", ".", " ", "ü", "9", "_"]

    /// About half valid: a category of 0-50 characters (mostly allowed ones), "-", a uuid, sometimes damaged.
    static func streamName(using random: inout some RandomNumberGenerator) -> String {
        let length = Int.random(in: 0...50, using: &random)
        var category = String((0..<length).map { _ in Bool.random(using: &random) || Bool.random(using: &random)
            ? "abcdefghijklmnopqrstuvwxyz0123456789_".randomElement(using: &random)!
            : alphabet.randomElement(using: &random)! })
        if Int.random(in: 0..<4, using: &random) > 0, !category.isEmpty { category = "g" + category.dropFirst() }
        var id = Array(UUID().uuidString.lowercased())
        switch Int.random(in: 0..<8, using: &random) {
        case 0: id[Int.random(in: 0..<id.count, using: &random)] = ["G", "A", "-", "x", "0"].randomElement(using: &random)!
        case 1: id.remove(at: Int.random(in: 0..<id.count, using: &random))
        case 2: id.append("a")
        default: break
        }
        return category + "-" + String(id)
    }

    /// About half valid: two parts of 0-65 characters joined by a dot, sometimes damaged.
    static func eventType(using random: inout some RandomNumberGenerator) -> String {
        func part() -> String {
            let length = Int.random(in: 0...65, using: &random)
            var text = String((0..<length).map { _ in Int.random(in: 0..<20, using: &random) > 0
                ? "abcdefghijklmnopqrstuvwxyz0123456789_".randomElement(using: &random)!
                : alphabet.randomElement(using: &random)! })
            if Bool.random(using: &random), !text.isEmpty { text = "e" + text.dropFirst() }
            return text
        }
        return Int.random(in: 0..<10, using: &random) == 0 ? part() : part() + "." + part()
    }

    static let edgeStreams = [
        "a-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0f", String(repeating: "a", count: 48) + "-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0f",
        String(repeating: "a", count: 49) + "-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0f", "-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0f",
        "group-0190F0C2-6D1E-7A3B-9C4D-5E6F7A8B9C0F", "group-0190f0c26d1e7a3b9c4d5e6f7a8b9c0f", "group-{0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b}",
        "gr-up-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0f", "1group-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0f", "_g-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0f",
        "grüp-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0f", "group-0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0g", "group_0190f0c2-6d1e-7a3b-9c4d-5e6f7a8b9c0f",
        "group-0190f0c2-6d1e-7a3b-9c4d--e6f7a8b9c0f", "", "group-",
    ]
    static let edgeTypes = ["a.b", String(repeating: "a", count: 63) + ".b", String(repeating: "a", count: 64) + ".b", "a." + String(repeating: "b", count: 64),
                            "a.b.c", ".b", "a.", "A.b", "a.1b", "ab", "a.b_9", "ä.b", ""]
}
