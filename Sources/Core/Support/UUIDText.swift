public import Foundation

/// The hyphenated form of a UUID, written and read.
extension UUID {
    /// The canonical lowercase form (`0190f0c2-6d1e-7a3b-…`), without `uuidString`'s formatting and copy.
    public var lowercasedString: String {
        String(unsafeUninitializedCapacity: 36) { out in Self.writeHyphenated(uuid, into: out) }
    }

    /// The same form, appended to `bytes`: every id of every JSON body and event the wire writer encodes
    /// (Foundation's `uuidString` would format it with `sprintf`, and in uppercase).
    func appendLowercased(to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 36))
        bytes.withUnsafeMutableBufferPointer { all in
            _ = Self.writeHyphenated(uuid, into: UnsafeMutableBufferPointer(rebasing: all[start...]))
        }
    }

    /// Writes the 36 hyphenated lowercase hex characters; returns 36.
    private static func writeHyphenated(_ uuid: uuid_t, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        withUnsafeBytes(of: uuid) { bytes in
            var o = 0
            for i in 0..<16 {
                if i == 4 || i == 6 || i == 8 || i == 10 { out[o] = UInt8(ascii: "-"); o += 1 }
                out[o] = hexDigit(bytes[i] >> 4)
                out[o + 1] = hexDigit(bytes[i] & 0x0F)
                o += 2
            }
            return o
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// Parses the hyphenated form, 8-4-4-4-12 hex digits of either case, and nothing else: Foundation's
    /// `UUID(uuidString:)` also takes hyphens in other places (`…-5e2274ce-92f`), which a stream name, an id in
    /// a path or a token must not.
    public init?(hyphenated text: String) {
        self.init(hyphenated: Substring(text))
    }

    /// The same, for a slice of a longer text (a path component, a stream name's id part).
    public init?(hyphenated text: Substring) {
        var text = text
        guard let uuid = text.withUTF8(Self.parseHyphenated) else { return nil }
        self.init(uuid: uuid)
    }

    // Concrete over contiguous bytes: a generic `StringProtocol` parser runs unspecialized when called from
    // another module, and cost 5% of the gateway's CPU in the commands benchmark.
    private static func parseHyphenated(_ utf8: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        guard utf8.count == 36 else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
            var index = 0
            for byte in 0..<16 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard utf8[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                }
                guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return false }
                out[byte] = high << 4 | low
                index += 2
            }
            return true
        }
        return parsed ? bytes : nil
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
