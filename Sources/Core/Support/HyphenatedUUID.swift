public import Foundation

extension UUID {
    /// Parses the hyphenated form, 8-4-4-4-12 hex digits of either case, and nothing else: Foundation's
    /// `UUID(uuidString:)` also takes hyphens in other places (`…-5e2274ce-92f`), which a stream name, an id in
    /// a path or a token must not.
    public init?(hyphenated text: some StringProtocol) {
        let utf8 = text.utf8
        guard utf8.count == 36 else { return nil }
        var bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
            var nibbles = 0
            for (index, character) in utf8.enumerated() {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard character == UInt8(ascii: "-") else { return false }
                    continue
                }
                guard let nibble = Self.nibble(character) else { return false }
                out[nibbles / 2] |= nibbles % 2 == 0 ? nibble << 4 : nibble
                nibbles += 1
            }
            return true
        }
        guard parsed else { return nil }
        self.init(uuid: bytes)
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
