import CanopyTesting
@testable import Core
import Foundation
import Testing

@Suite struct JSONSyntaxTests {
    @Test(arguments: [
        "{}", " { } ", #"{"a":1}"#, #"{"a":[1,2.5,-3e10,0.0,true,false,null,"x"]}"#, #"{"a":{"b":{"c":[]}}}"#,
        #"{"esc":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#, #"{"a":-0, "b":1E+2, "c":1e-2}"#, "{\"ünï\":\"cödé 🌳\"}",
    ])
    func acceptsJSONObjects(text: String) {
        #expect(JSONSyntax.isObject(text))
    }

    @Test(arguments: [
        "", "[]", "1", "\"x\"", "null", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{\"a\":1}x", "{\"a\":1} {}",
        "{'a':1}", "{a:1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":1e}", "{\"a\":tru}",
        "{\"a\":\"\u{01}\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"open}", "{\"a\":[1,2}", "{\"a\":NaN}",
        // What jsonb refuses although RFC 8259 allows it:
        "{\"a\":\"\\u0000\"}", "{\"a\":\"\\ud83d\"}", "{\"a\":\"\\ude00\"}", "{\"a\":\"\\ud83dx\"}",
    ])
    func refusesEverythingElse(text: String) {
        #expect(!JSONSyntax.isObject(text))
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "{\"a\":", count: JSONSyntax.maxDepth + 1) + "1" + String(repeating: "}", count: JSONSyntax.maxDepth + 1)
        #expect(!JSONSyntax.isObject(deep))
        let fine = String(repeating: "{\"a\":", count: 50) + "1" + String(repeating: "}", count: 50)
        #expect(JSONSyntax.isObject(fine))
    }

    /// Differential: on random damage to real documents, agree with Foundation's parser, except where
    /// Foundation is lenient (it takes trailing commas, which RFC 8259 and jsonb refuse, and a `\u0000`
    /// escape, which jsonb refuses). IntegrationTests runs the same comparison against PostgreSQL's jsonb.
    @Test func agreesWithFoundationOnDamagedDocuments() throws {
        func foundation(_ text: String) -> Bool { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any] }
        var lenient = 0
        for text in DamagedJSON.samples(count: 6_000) where JSONSyntax.isObject(text) != foundation(text) {
            // The only disagreements allowed: Foundation takes a trailing comma or an escaped NUL, and without
            // them the two agree. (Damage turns an escape like \u00e9 into \u0000 now and then.)
            #expect(foundation(text) && !JSONSyntax.isObject(text), "we accept what Foundation refuses: \(text)")
            let fixed = DamagedJSON.removingTrailingCommas(text).replacingOccurrences(of: #"\u0000"#, with: #"\u0001"#)
            #expect(fixed != text && JSONSyntax.isObject(fixed) == foundation(fixed), "\(text)")
            lenient += 1
        }
        #expect(lenient < 1_000)
    }
}

@Suite struct HandWrittenJSONTests {
    @Test func metadataTextDecodesToTheSameMetadata() throws {
        let metadata = EventMetadata(
            actor: "user:\"quoted\"\n\tand \u{01} control, ünïcode 🌳", actingAccountID: UUID.v7(), causationID: UUID.v7(),
            correlationID: UUID.v7(), requestID: "req\\1", impersonatorID: UUID.v7()
        )
        #expect(JSONSyntax.isObject(metadata.jsonText))
        #expect(try WireJSON.decode(EventMetadata.self, from: metadata.jsonText) == metadata)
        #expect(EventMetadata().jsonText == "{}")
        #expect(EventMetadata(actor: "system:bench", requestID: "r-1").jsonText == #"{"actor":"system:bench","request_id":"r-1"}"#)
    }

    @Test func lowercasedUUIDTextMatchesFoundation() {
        for _ in 0..<100 {
            let id = UUID()
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
    }
}
