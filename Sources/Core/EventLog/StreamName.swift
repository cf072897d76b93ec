public import Foundation

/// A stream is `category-<uuid>` (`account-…`, `run-…`): the category is what precedes the first dash.
public struct StreamName: Hashable, Sendable, CustomStringConvertible {
    public let category: String
    public let id: UUID

    public init(category: String, id: UUID) throws(EventLogError) {
        guard Self.isValidCategory(category) else {
            throw EventLogError(.invalidStreamName, "a stream category is 1-48 of a-z, 0-9 and _, starting with a letter", stream: category)
        }
        self.category = category
        self.id = id
    }

    /// For categories fixed in code: a bad one is a programming error, caught by the first test that uses it.
    init(knownCategory category: StaticString, id: UUID) {
        let text = "\(category)"
        precondition(Self.isValidCategory(text), "invalid stream category \(text)")
        self.category = text
        self.id = id
    }

    /// Parses the wire form, which must be canonical: lowercase category and lowercase UUID.
    public init(parsing raw: String) throws(EventLogError) {
        let invalid = EventLogError(.invalidStreamName, "a stream name is category-<lowercase uuid>", stream: String(raw.prefix(100)))
        guard let dash = raw.firstIndex(of: "-") else { throw invalid }
        let category = String(raw[..<dash])
        let idText = String(raw[raw.index(after: dash)...])
        guard Self.isValidCategory(category), idText == idText.lowercased(),
              let id = UUID(hyphenated: idText) else { throw invalid }
        self.category = category
        self.id = id
    }

    public var rawValue: String { "\(category)-\(id.lowercasedString)" }
    public var description: String { rawValue }

    static func isValidCategory(_ category: String) -> Bool {
        let bytes = Array(category.utf8)
        guard (1...48).contains(bytes.count), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0]) else { return false }
        return bytes.allSatisfy(ASCII.isLowerAlphanumericOrUnderscore)
    }
}

enum ASCII {
    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    static func isLowerAlphanumericOrUnderscore(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || byte == UInt8(ascii: "_")
    }
}

/// As its wire form, checked again when read.
extension StreamName: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
