import Foundation

/// Reads the metadata object the log stores: a flat JSON object of strings, as jsonb prints it. Reading
/// every event of the log goes through here (a rebuild reads millions), and JSONDecoder cost more than the
/// rest of a row; anything this does not expect is left to JSONDecoder.
enum EventMetadataParser {
    static func parse(_ text: String) throws -> EventMetadata {
        if let fast = fastParse(text) { return fast }
        return try WireJSON.decode(EventMetadata.self, from: text)
    }

    static func fastParse(_ text: String) -> EventMetadata? {
        var text = text
        return text.withUTF8 { bytes -> EventMetadata? in
            var scanner = Scanner(bytes: bytes)
            var metadata = EventMetadata()
            guard scanner.take(UInt8(ascii: "{")) else { return nil }
            if scanner.take(UInt8(ascii: "}")) { return scanner.atEnd ? metadata : nil }
            repeat {
                guard let key = scanner.string(), scanner.take(UInt8(ascii: ":")) else { return nil }
                let value: String?
                if scanner.takeNull() { value = nil } else {
                    guard let string = scanner.string() else { return nil }
                    value = string
                }
                switch key {
                case "actor": metadata.actor = value
                case "request_id": metadata.requestID = value
                case "acting_account_id": guard Self.uuid(value, into: &metadata.actingAccountID) else { return nil }
                case "causation_id": guard Self.uuid(value, into: &metadata.causationID) else { return nil }
                case "correlation_id": guard Self.uuid(value, into: &metadata.correlationID) else { return nil }
                case "impersonator_id": guard Self.uuid(value, into: &metadata.impersonatorID) else { return nil }
                default: break
                }
            } while scanner.take(UInt8(ascii: ","))
            guard scanner.take(UInt8(ascii: "}")), scanner.atEnd else { return nil }
            return metadata
        }
    }

    private static func uuid(_ value: String?, into field: inout UUID?) -> Bool {
        guard let value else { field = nil; return true }
        guard let id = UUID(hyphenated: value) else { return false }
        field = id
        return true
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool {
            mutating get { skipSpace(); return index == bytes.count }
        }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func takeNull() -> Bool {
            skipSpace()
            guard index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
                  bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l") else { return false }
            index += 4
            return true
        }

        /// A JSON string without escapes; one with escapes is left to the full decoder (nil).
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    defer { index += 1 }
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                case UInt8(ascii: "\\"), 0x00..<0x20:
                    return nil
                default:
                    index += 1
                }
            }
            return nil
        }
    }
}
