/// Why a condition was refused when it was written, or stopped while it ran. Stable codes, as everywhere.
public struct JSONLogicError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// An object of one key whose key is no operator Canopy knows.
        public static let unknownOperator = Code("condition.unknown_operator")
        /// An operator given fewer or more arguments than it takes.
        public static let wrongArgumentCount = Code("condition.wrong_argument_count")
        /// Nested deeper than `JSONLogicRule.Limits.depth`.
        public static let tooDeep = Code("condition.too_deep")
        /// More operations than `JSONLogicRule.Limits.operations`.
        public static let tooLarge = Code("condition.too_large")
        /// Evaluation took more steps than its budget (a `map` inside a `map` over large data, say).
        public static let budgetExhausted = Code("condition.budget_exhausted")
    }

    public var code: Code
    public var message: String
    /// Where in the rule, as a JSON Pointer (`/and/1/var`); empty for the whole rule.
    public var path: String

    public init(_ code: Code, _ message: String, path: String = "") {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { path.isEmpty ? "\(code): \(message)" : "\(code) at \(path): \(message)" }
}
