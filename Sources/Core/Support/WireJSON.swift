public import Foundation

/// The one JSON convention on the wire and in the log: snake_case keys, RFC 3339 UTC times with milliseconds.
public enum WireJSON {
    public static func encodeToString(_ value: some Encodable) throws -> String {
        try WireJSONWriter.encodeToString(value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try shared.decode(type, from: Data(text.utf8))
    }

    /// One decoder for every request body and event: a decoder's options are fixed once made, and decoding
    /// with it from many tasks at once is safe.
    private static let shared = decoder()

    /// True when `text` is a JSON object that PostgreSQL's jsonb also accepts.
    public static func isObject(_ text: String) -> Bool {
        JSONSyntax.isObject(text)
    }

    /// `text` as a JSON string literal, quotes included.
    static func quoted(_ text: String) -> String {
        // Most text (actors, request ids, names) needs no escape: one copy instead of a scalar at a time.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) { return "\"" + text + "\"" }
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in SnakeCaseKey(stringValue: SnakeCaseKey.camelCased(path[path.count - 1].stringValue))! }
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an RFC 3339 time")
            }
            return date
        }
        return decoder
    }
}

/// Decodes `acting_account_id` to `actingAccountID`: Foundation's `convertFromSnakeCase` would give
/// `actingAccountId`, which does not round-trip with `convertToSnakeCase` for Swift's acronym style.
struct SnakeCaseKey: CodingKey {
    static let acronyms: Set<Substring> = ["id", "url", "ip", "ids", "urls"]
    let stringValue: String
    var intValue: Int? { nil }

    init(camelCasing snake: String) {
        let words = snake.split(separator: "_")
        // `_0`, `_1`: the keys of an enum case's unlabelled values, which encoding leaves as they are.
        guard let first = words.first, !snake.hasPrefix("_") else { self.stringValue = snake; return }
        self.stringValue = String(first) + words.dropFirst().map { word in
            Self.acronyms.contains(word) ? (word == "ids" ? "IDs" : word == "urls" ? "URLs" : word.uppercased()) : word.prefix(1).uppercased() + word.dropFirst()
        }.joined()
    }

    /// `ownerUserID` → `owner_user_id`, `groupIDs` → `group_ids`, `URLPath` → `url_path`. On ASCII bytes:
    /// every key of every response goes through here, and working on Characters was a tenth of a read.
    init(snakeCasing camel: String) {
        func isUpper(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }
        func isLower(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }
        var bytes = Array(camel.utf8)
        guard bytes.contains(where: isUpper) else { self.stringValue = camel; return }
        // A plural acronym is one word: IDs → Ids, URLs → Urls.
        for index in bytes.indices {
            if bytes[index...].starts(with: "IDs".utf8) { bytes[index + 1] = UInt8(ascii: "d") }
            if bytes[index...].starts(with: "URLs".utf8) { bytes[index + 1] = UInt8(ascii: "r"); bytes[index + 2] = UInt8(ascii: "l") }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 4)
        for (index, byte) in bytes.enumerated() {
            if isUpper(byte), index > 0 {
                let previous = bytes[index - 1]
                let nextIsLower = index + 1 < bytes.count && isLower(bytes[index + 1])
                if isLower(previous) || (previous >= 48 && previous <= 57) || (isUpper(previous) && nextIsLower) { out.append(UInt8(ascii: "_")) }
            }
            out.append(isUpper(byte) ? byte + 32 : byte)
        }
        self.stringValue = String(decoding: out, as: UTF8.self)
    }

    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    /// Every key of every body and event is converted, and the keys are few (a type's properties): each
    /// conversion is kept. Bounded, since a request body's keys are the sender's to choose. Read by every
    /// request on every thread, so readers share the lock (under a `Mutex`, threads queued on it for each
    /// key written).
    private static let snakeCased = ReadWriteLock<[String: String]>([:])
    private static let camelCased = ReadWriteLock<[String: String]>([:])

    static func snakeCased(_ camel: String) -> String {
        cached(camel, in: snakeCased) { SnakeCaseKey(snakeCasing: $0).stringValue }
    }

    static func camelCased(_ snake: String) -> String {
        cached(snake, in: camelCased) { SnakeCaseKey(camelCasing: $0).stringValue }
    }

    private static func cached(_ key: String, in cache: ReadWriteLock<[String: String]>, _ convert: (String) -> String) -> String {
        if let known = cache.read({ $0[key] }) { return known }
        let converted = convert(key)
        cache.write { if $0.count < 4_096 { $0[key] = converted } }
        return converted
    }
}
