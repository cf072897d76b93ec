/// A condition in JsonLogic (jsonlogic.com), checked when it is written so that running it cannot fail on
/// its shape: every operator is known and given as many arguments as it takes, and the rule's size is
/// bounded. Answers are those of JsonLogic's reference implementation, to the letter of its shared tests.
public struct JSONLogicRule: Sendable, Hashable {
    public struct Limits: Sendable, Hashable {
        /// Arrays and operations nested in one another.
        public var depth: Int
        /// Operations in the whole rule.
        public var operations: Int
        /// Steps one evaluation may take: one per operation evaluated, plus one per item `merge` or byte
        /// `cat` makes, so that neither a `map` inside a `map` over large data nor an accumulator that
        /// doubles at each step can hold a worker.
        public var evaluationSteps: Int

        public init(depth: Int = 32, operations: Int = 1_000, evaluationSteps: Int = 100_000) {
            self.depth = depth
            self.operations = operations
            self.evaluationSteps = evaluationSteps
        }
    }

    /// The rule as it was written.
    public let json: JSONValue
    public let limits: Limits
    let root: JSONLogicNode

    public init(_ json: JSONValue, limits: Limits = Limits()) throws(AutomationError) {
        var compiler = JSONLogicCompiler(limits: limits)
        self.root = try compiler.compile(json, path: "", depth: 0)
        self.json = json
        self.limits = limits
    }

    /// What the rule answers for `data`.
    public func evaluate(_ data: JSONValue) throws(AutomationError) -> JSONValue {
        var evaluation = JSONLogicEvaluation(steps: limits.evaluationSteps)
        return try evaluation.evaluate(root, data)
    }

    /// Whether the answer for `data` is truthy, as JsonLogic reads it (`0`, `""`, `[]` and `null` are not).
    public func isSatisfied(by data: JSONValue) throws(AutomationError) -> Bool {
        JavaScriptValues.isTruthy(try evaluate(data))
    }

    public static func == (left: JSONLogicRule, right: JSONLogicRule) -> Bool { left.json == right.json && left.limits == right.limits }
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }
}

extension JSONLogicRule: Codable {
    /// Reading a rule checks it again, with the default limits.
    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        do {
            try self.init(json)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}
