@testable import Core
import Foundation
import Testing

/// The streaming writer against Foundation's `JSONEncoder` set to the same convention: the same JSON
/// values (member order aside), for every shape of Codable our types use.
@Suite struct WireJSONWriterTests {
    enum Kind: Codable, Equatable {
        case plain
        case labelled(name: String, count: Int)
        case nested(Inner)
    }

    struct Inner: Codable, Equatable {
        var groupIDs: [UUID]
        var note: String?
        var flags: [String: Bool]
    }

    struct Sample: Codable, Equatable {
        var actingAccountID: UUID
        var displayName: String
        var recordedAt: Date
        var ratio: Double
        var small: Int8
        var big: UInt64
        var negative: Int64
        var enabled: Bool
        var missing: String?
        var present: Int?
        var inner: Inner
        var kinds: [Kind]
        var matrix: [[Int]]
        var empty: [String]
        var bytes: Data
        var callbackURL: URL
        var byName: [String: Inner]
        var byNumber: [Int: String]
    }

    static func sample() -> Sample {
        let inner = Inner(groupIDs: [UUID.v7(), UUID.v7()], note: "quote \" backslash \\ slash / newline \n tab \t bell \u{07} é 🌳", flags: ["a": true, "b": false])
        return Sample(
            actingAccountID: UUID.v7(), displayName: "Canopy", recordedAt: Date(timeIntervalSince1970: 1_700_000_000.123),
            ratio: 0.25, small: -8, big: .max, negative: .min, enabled: true, missing: nil, present: 7, inner: inner,
            kinds: [.plain, .labelled(name: "x", count: 2), .nested(Inner(groupIDs: [], note: nil, flags: [:]))],
            matrix: [[1, 2], [], [3]], empty: [], bytes: Data([0, 1, 2, 250]), callbackURL: URL(string: "https://example.test/a?b=c")!,
            byName: ["first": inner], byNumber: [1: "one", 2: "two"]
        )
    }

    static func foundationEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in SnakeCaseKey(snakeCasing: path[path.count - 1].stringValue) }
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        return encoder
    }

    static func parsed(_ bytes: some Sequence<UInt8>) throws -> NSObject {
        try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as! NSObject
    }

    @Test func writesTheSameJSONAsFoundation() throws {
        let sample = Self.sample()
        let ours = try WireJSONWriter.encode(sample)
        // Foundation writes ids uppercase (`uuidString`); the wire form is lowercase, the rest the same.
        let theirs = String(decoding: try Self.foundationEncoder().encode(sample), as: UTF8.self)
            .replacing(#/[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/#) { $0.output.lowercased() }
        #expect(try Self.parsed(ours) == Self.parsed(Array(theirs.utf8)))
    }

    /// Ids are written by hand (Foundation formats them with sprintf, in uppercase): exactly the canonical
    /// lowercase form of RFC 9562, every digit.
    @Test func writesIdsInTheCanonicalLowercaseForm() throws {
        let ids = (0..<1_000).map { _ in UUID() } + [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                                                    UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        let written = try WireJSONWriter.encodeToString(ids)
        #expect(written == "[" + ids.map { "\"\($0.uuidString.lowercased())\"" }.joined(separator: ",") + "]")
        #expect(try WireJSON.decode([UUID].self, from: written) == ids)
    }

    @Test func roundTripsThroughTheWireDecoder() throws {
        let sample = Self.sample()
        let text = try WireJSONWriter.encodeToString(sample)
        #expect(text.contains(#""acting_account_id":""#) && text.contains(#""callback_url":"https://example.test/a?b=c""#))
        #expect(text.contains(#""recorded_at":"2023-11-14T22:13:20.123Z""#))
        #expect(!text.contains("missing"))
        #expect(try WireJSON.decode(Sample.self, from: text) == sample)
    }

    @Test func escapesWhatJSONRequires() throws {
        let text = try WireJSONWriter.encodeToString(["k": "a\"b\\c\u{01}d\ne/"])
        #expect(text == #"{"k":"a\"b\\c\u0001d\ne/"}"#)
    }

    @Test func writesTopLevelFragmentsAndEmptyValues() throws {
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
        #expect(try WireJSONWriter.encodeToString("x") == #""x""#)
        #expect(try WireJSONWriter.encodeToString([Nothing(), Nothing()]) == "[{},{}]")
        #expect(try WireJSONWriter.encodeToString([String: Int]()) == "{}")
        #expect(try WireJSONWriter.encodeToString(Optional<Int>.none) == "null")
    }

    @Test func refusesNonFiniteNumbers() {
        #expect(throws: EncodingError.self) { try WireJSONWriter.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try WireJSONWriter.encode(["x": Double.infinity]) }
    }
}
