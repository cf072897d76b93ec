/// JavaScript's rules for mixing types, which JsonLogic inherits from its reference implementation: `"2" > 1`,
/// `1 == "1"`, `"" ` is falsy, `[]` is falsy (JsonLogic's one change). `nil` stands for JavaScript's
/// `undefined`: an argument a rule left out.
///
/// One deliberate difference: arrays and objects are equal when their contents are. JavaScript compares their
/// identity, which values read from a JSON document do not have.
enum JavaScriptValues {
    static func isTruthy(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null: false
        case .bool(let bool): bool
        case .number(let number): number != 0 && !number.isNaN
        case .string(let string): !string.isEmpty
        case .array(let items): !items.isEmpty
        case .object: true
        }
    }

    // MARK: Equality

    /// `===`
    static func strictlyEqual(_ left: JSONValue?, _ right: JSONValue?) -> Bool {
        switch (left, right) {
        case (nil, nil), (.null?, .null?): true
        case (.number(let a)?, .number(let b)?): a == b
        default: left == right
        }
    }

    /// `==`
    static func looselyEqual(_ left: JSONValue?, _ right: JSONValue?) -> Bool {
        switch (left, right) {
        case (nil, nil), (nil, .null?), (.null?, nil), (.null?, .null?): return true
        case (nil, _), (_, nil), (.null?, _), (_, .null?): return false
        case (.number(let a)?, .string?): return a == toNumber(right)
        case (.string?, .number(let b)?): return toNumber(left) == b
        case (.bool?, _): return looselyEqual(.number(toNumber(left)), right)
        case (_, .bool?): return looselyEqual(left, .number(toNumber(right)))
        case (.array?, .number?), (.array?, .string?), (.object?, .number?), (.object?, .string?):
            return looselyEqual(toPrimitive(left), right)
        case (.number?, .array?), (.string?, .array?), (.number?, .object?), (.string?, .object?):
            return looselyEqual(left, toPrimitive(right))
        default: return strictlyEqual(left, right)
        }
    }

    // MARK: Order

    /// `left < right`: strings against strings by UTF-16 code unit, anything else as numbers; nil where
    /// JavaScript's answer is undefined (a NaN), which every comparison reads as false.
    static func lessThan(_ left: JSONValue?, _ right: JSONValue?) -> Bool? {
        let (a, b) = (toPrimitive(left), toPrimitive(right))
        if case .string(let x)? = a, case .string(let y)? = b {
            return x.utf16.lexicographicallyPrecedes(y.utf16)
        }
        let (x, y) = (toNumber(a), toNumber(b))
        if x.isNaN || y.isNaN { return nil }
        return x < y
    }

    static func compare(_ left: JSONValue?, _ right: JSONValue?, orEqual: Bool) -> Bool {
        orEqual ? lessThan(right, left) == false : lessThan(left, right) == true
    }

    // MARK: Conversions

    /// Arrays and objects as the string JavaScript turns them into; anything else unchanged.
    static func toPrimitive(_ value: JSONValue?) -> JSONValue? {
        switch value {
        case .array?, .object?: .string(toString(value))
        default: value
        }
    }

    /// JavaScript's `Number(value)`.
    static func toNumber(_ value: JSONValue?) -> Double {
        switch value {
        case nil: .nan
        case .null: 0
        case .bool(let bool): bool ? 1 : 0
        case .number(let number): number
        case .string(let string): number(fromNumericString: string)
        case .array, .object: toNumber(toPrimitive(value))
        }
    }

    /// JavaScript's `parseFloat(value)`: the longest decimal number the text starts with.
    static func parseFloat(_ value: JSONValue?) -> Double {
        let text = toString(value).drop { $0.isJavaScriptWhitespace }
        guard let end = decimalLiteralEnd(text) else { return .nan }
        return decimalValue(text[..<end])
    }

    /// JavaScript's `String(value)`.
    static func toString(_ value: JSONValue?) -> String {
        switch value {
        case nil: "undefined"
        case .null: "null"
        case .bool(let bool): bool ? "true" : "false"
        case .number(let number): toString(number)
        case .string(let string): string
        case .array(let items): items.map { $0 == .null ? "" : toString($0) }.joined(separator: ",")
        case .object: "[object Object]"
        }
    }

    /// How JavaScript writes a number: the shortest digits that read back as it, with an exponent only
    /// below 1e-6 or from 1e21 on (`1e-7`, `0.000001`, `100`, `1e+21`).
    static func toString(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        if number == 0 { return "0" }
        let sign = number < 0 ? "-" : ""
        // Swift's description has the same shortest digits; only where it puts the point differs.
        let written = "\(number.magnitude)"
        let parts = written.split(separator: "e")
        let mantissa = parts[0], exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let integerDigits = mantissa.split(separator: ".", omittingEmptySubsequences: false)[0]
        var digits = mantissa.filter { $0 != "." }
        var point = integerDigits.count + exponent  // digits = 0.d1d2... × 10^point
        while digits.first == "0" { digits.removeFirst(); point -= 1 }
        while digits.last == "0" { digits.removeLast() }
        let count = digits.count
        if count <= point && point <= 21 {
            return sign + digits + String(repeating: "0", count: point - count)
        }
        if 0 < point && point <= 21 {
            return sign + digits.prefix(point) + "." + digits.dropFirst(point)
        }
        if -6 < point && point <= 0 {
            return sign + "0." + String(repeating: "0", count: -point) + digits
        }
        let shown = point - 1
        let scale = "e" + (shown < 0 ? "-" : "+") + String(shown.magnitude)
        return sign + (count == 1 ? digits : digits.prefix(1) + "." + digits.dropFirst()) + scale
    }

    /// JavaScript's StringToNumber: blank is 0, a decimal or 0x/0o/0b literal is its value, anything else NaN.
    static func number(fromNumericString string: String) -> Double {
        let text = string.trimmingJavaScriptWhitespace()
        if text.isEmpty { return 0 }
        for (prefix, radix) in [("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)] where text.hasPrefix(prefix) {
            let body = text.dropFirst(2)
            guard !body.isEmpty else { return .nan }
            var value = 0.0
            for character in body {
                guard let digit = character.hexDigitValue, digit < radix else { return .nan }
                value = value * Double(radix) + Double(digit)
            }
            return value
        }
        return decimalLiteral(Substring(text)) ?? .nan
    }

    /// A signed decimal literal (`-1.5e3`, `.5`, `5.`, `Infinity`) and nothing else. Swift's own parser also
    /// takes `nan`, `inf` and hexadecimal floats, which JavaScript does not.
    private static func decimalLiteral(_ text: Substring) -> Double? {
        decimalLiteralEnd(text) == text.endIndex ? decimalValue(text) : nil
    }

    /// Where the longest decimal literal at the start of `text` ends; nil if there is none.
    private static func decimalLiteralEnd(_ text: Substring) -> Substring.Index? {
        var rest = text
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        if rest.hasPrefix("Infinity") { return rest.dropFirst(8).startIndex }
        let integer = rest.prefix { $0.isASCII && $0.isNumber }
        rest = rest.dropFirst(integer.count)
        var fraction = Substring()
        if rest.first == "." {
            fraction = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(1 + fraction.count)
        }
        guard !integer.isEmpty || !fraction.isEmpty else { return nil }
        if let marker = rest.first, marker == "e" || marker == "E" {
            var exponent = rest.dropFirst()
            if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
            let digits = exponent.prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty { rest = exponent.dropFirst(digits.count) }  // "1e" is the number 1, then text
        }
        return rest.startIndex
    }

    /// The value of a literal `decimalLiteralEnd` accepted.
    private static func decimalValue(_ literal: Substring) -> Double {
        let unsigned = literal.first == "-" || literal.first == "+" ? literal.dropFirst() : literal
        let magnitude = unsigned == "Infinity" ? Double.infinity : Double(String(unsigned)) ?? .nan
        return literal.first == "-" ? -magnitude : magnitude
    }
}

extension Character {
    /// JavaScript's WhiteSpace and LineTerminator, which its number parsing skips.
    var isJavaScriptWhitespace: Bool {
        isWhitespace || self == "\u{FEFF}"
    }
}

extension String {
    func trimmingJavaScriptWhitespace() -> String {
        String(drop { $0.isJavaScriptWhitespace }.reversed().drop { $0.isJavaScriptWhitespace }.reversed())
    }
}
