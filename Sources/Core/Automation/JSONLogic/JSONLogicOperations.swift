extension JSONLogicOperator {
    /// The operators that evaluate every argument first, applied to their arguments' answers. `data` is
    /// what `var` and `missing` read.
    func apply(to values: [JSONValue], data: JSONValue) -> JSONValue {
        typealias JS = JavaScriptValues
        let first = values.first, second = values.count > 1 ? values[1] : nil, third = values.count > 2 ? values[2] : nil
        switch self {
        case .variable: return Self.variable(first, default: second, in: data)
        case .missing: return .array(Self.missing(first.map { if case .array(let keys) = $0 { keys } else { values } } ?? [], in: data))
        case .missingSome:
            let options = if case .array(let keys)? = second { keys } else { [second ?? .null] }
            let missing = Self.missing(options, in: data)
            return Double(options.count - missing.count) >= JS.toNumber(first) ? .array([]) : .array(missing)
        case .not: return .bool(!JS.isTruthy(first))
        case .truthy: return .bool(JS.isTruthy(first))
        case .looselyEqual: return .bool(JS.looselyEqual(first, second))
        case .strictlyEqual: return .bool(JS.strictlyEqual(first, second))
        case .looselyUnequal: return .bool(!JS.looselyEqual(first, second))
        case .strictlyUnequal: return .bool(!JS.strictlyEqual(first, second))
        case .greater: return .bool(JS.compare(second, first, orEqual: false))
        case .greaterOrEqual: return .bool(JS.compare(second, first, orEqual: true))
        case .less, .lessOrEqual:
            let orEqual = self == .lessOrEqual
            let ordered = JS.compare(first, second, orEqual: orEqual)
            return .bool(values.count > 2 ? ordered && JS.compare(second, third, orEqual: orEqual) : ordered)
        case .min, .max:
            let numbers = values.map(JS.toNumber)
            if numbers.contains(where: \.isNaN) { return .number(.nan) }
            return .number((self == .min ? numbers.min() : numbers.max()) ?? .nan)
        case .add: return .number(values.reduce(0) { $0 + JS.parseFloat($1) })
        case .multiply:
            // JavaScript's reduce without a start: one argument comes back as it is, unconverted.
            guard values.count > 1, let first else { return first ?? .null }
            return .number(values.dropFirst().reduce(JS.parseFloat(first)) { $0 * JS.parseFloat($1) })
        case .subtract: return .number(values.count == 1 ? -JS.toNumber(first) : JS.toNumber(first) - JS.toNumber(second))
        case .divide: return .number(JS.toNumber(first) / JS.toNumber(second))
        case .remainder: return .number(JS.toNumber(first).truncatingRemainder(dividingBy: JS.toNumber(second)))
        case .merge: return .array(values.flatMap { if case .array(let items) = $0 { items } else { [$0] } })
        case .in:
            switch second {
            case .array(let items)?: return .bool(items.contains { JS.strictlyEqual($0, first) })
            case .string(let text)?:
                let needle = JS.toString(first)
                return .bool(needle.isEmpty || text.contains(needle))
            default: return .bool(false)
            }
        case .cat: return .string(values.map { $0 == .null ? "" : JS.toString($0) }.joined())
        case .substr: return .string(Self.substring(JS.toString(first), start: second, end: third))
        case .log: return first ?? .null
        case .if, .ternary, .and, .or, .map, .filter, .reduce, .all, .none, .some:
            preconditionFailure("\(rawValue) is evaluated lazily")  // JSONLogicEvaluation answers these itself
        }
    }

    /// `{"var": "a.b.0"}`: a dotted path into the data; `default` (or null) where it leads nowhere. An empty
    /// or null path is the data itself.
    static func variable(_ path: JSONValue?, default fallback: JSONValue?, in data: JSONValue) -> JSONValue {
        variable(keys(of: path), default: fallback, in: data)
    }

    /// A path's keys; nil for the data itself.
    static func keys(of path: JSONValue?) -> [String]? {
        guard let path, path != .null, path != .string("") else { return nil }
        return JavaScriptValues.toString(path).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    static func variable(_ keys: [String]?, default fallback: JSONValue?, in data: JSONValue) -> JSONValue {
        guard let keys else { return data }
        var current = data
        for key in keys {
            switch current {
            case .object(let fields):
                guard let next = fields[key] else { return fallback ?? .null }
                current = next
            case .array(let items):
                // Only a canonical index, as JavaScript reads one ("1", never "01" or "+1").
                guard let index = Int(key), String(index) == key, items.indices.contains(index) else { return fallback ?? .null }
                current = items[index]
            default:
                return fallback ?? .null
            }
        }
        return current
    }

    /// The keys whose value is null, empty text or absent.
    private static func missing(_ keys: [JSONValue], in data: JSONValue) -> [JSONValue] {
        keys.filter {
            let value = variable($0, default: nil, in: data)
            return value == .null || value == .string("")
        }
    }

    /// JavaScript's `substr(start, length)`, with JsonLogic's negative length meaning "stop that many
    /// characters before the end". Counted in characters, so no emoji or accent is cut in half.
    private static func substring(_ text: String, start: JSONValue?, end: JSONValue?) -> String {
        let characters = Array(text)
        func slice(_ characters: [Character], _ start: Int, _ length: Int?) -> [Character] {
            let from = start < 0 ? Swift.max(characters.count + start, 0) : Swift.min(start, characters.count)
            let count = Swift.min(Swift.max(length ?? Int.max, 0), characters.count - from)
            return Array(characters[from..<(from + count)])
        }
        let from = integer(start)
        if let end, JavaScriptValues.toNumber(end) < 0 {
            let tail = slice(characters, from, nil)
            return String(slice(tail, 0, tail.count + integer(end)))
        }
        return String(slice(characters, from, end.map(integer)))
    }

    /// JavaScript's ToIntegerOrInfinity, clamped to Int.
    private static func integer(_ value: JSONValue?) -> Int {
        let number = JavaScriptValues.toNumber(value)
        if number.isNaN { return 0 }
        if number >= Double(Int.max) { return Int.max }
        if number <= Double(Int.min) { return Int.min }
        return Int(number.rounded(.towardZero))
    }
}
