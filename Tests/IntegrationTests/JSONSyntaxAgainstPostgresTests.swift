import CanopyTesting
@testable import Core
import PostgresNIO
import Testing

/// The append path's JSON check must accept exactly what PostgreSQL's jsonb accepts as an object, or bad
/// input would reach the database (and fail a whole batch) or good input would be refused.
@Suite struct JSONSyntaxAgainstPostgresTests {
    @Test func acceptsExactlyWhatJsonbAcceptsAsAnObject() async throws {
        try await TestDatabase.with { database in
            let samples = DamagedJSON.samples(count: 1_500) + [#"{"a":"\u0000"}"#, #"{"a":"\ud83d"}"#, #"{"a":"\ud83d\ude00"}"#, "{\"a\":1,}"]
            // One round trip: pg_input_is_valid arrives in PostgreSQL 16, so a helper catches the cast's error.
            try await database.client.query("""
                CREATE FUNCTION is_json_object(t text) RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN RETURN jsonb_typeof(t::jsonb) = 'object'; EXCEPTION WHEN others THEN RETURN false; END $$
                """, logger: TestServers.logger)
            let rows = try await database.client.query(
                "SELECT is_json_object(t) FROM unnest(\(samples)::text[]) WITH ORDINALITY AS s(t, o) ORDER BY o", logger: TestServers.logger
            )
            var verdicts: [Bool] = []
            for try await valid in rows.decode(Bool.self) { verdicts.append(valid) }
            #expect(verdicts.count == samples.count)
            for (text, jsonb) in zip(samples, verdicts) {
                #expect(JSONSyntax.isObject(text) == jsonb, "\(text)")
            }
            #expect(verdicts.contains(true) && verdicts.contains(false))
        }
    }
}
