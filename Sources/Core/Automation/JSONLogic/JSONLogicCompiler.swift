import Foundation

/// A checked rule: literals stay as written, operations know their operator.
indirect enum JSONLogicNode: Sendable, Hashable {
    case literal(JSONValue)
    /// An array's items are evaluated; it answers the array of their answers.
    case array([JSONLogicNode])
    case operation(JSONLogicOperator, [JSONLogicNode])
    /// `var` of a path written in the rule, split into its keys once (nil: the data itself).
    case variable(keys: [String]?, default: JSONLogicNode?)
}

/// Turns JSON into a `JSONLogicNode`, refusing what could not run.
struct JSONLogicCompiler {
    let limits: JSONLogicRule.Limits
    private var operations = 0

    init(limits: JSONLogicRule.Limits) { self.limits = limits }

    mutating func compile(_ json: JSONValue, path: String, depth: Int) throws(AutomationError) -> JSONLogicNode {
        switch json {
        case .array(let items):
            try checkDepth(depth, path)
            var nodes: [JSONLogicNode] = []
            for (index, item) in items.enumerated() {
                nodes.append(try compile(item, path: "\(path)/\(index)", depth: depth + 1))
            }
            return .array(nodes)
        case .object(let fields) where fields.count == 1:  // one key: an operation; other objects are data
            guard let (key, value) = fields.first else { return .literal(json) }
            let here = path + "/" + Self.escapePointerToken(key)
            guard let operation = JSONLogicOperator(rawValue: key) else {
                throw AutomationError(.unknownOperator, "no operator is called \"\(key)\"", at: here)
            }
            try checkDepth(depth, here)
            operations += 1
            guard operations <= limits.operations else {
                throw AutomationError(.tooLarge, "a rule holds at most \(limits.operations) operations", at: here)
            }
            // `{"op": x}` is `{"op": [x]}`.
            let (arguments, argumentPaths): ([JSONValue], [String]) =
                if case .array(let items) = value { (items, items.indices.map { "\(here)/\($0)" }) } else { ([value], [here]) }
            guard operation.arity.contains(arguments.count) else {
                throw AutomationError(.wrongArgumentCount, "\(key) takes \(Self.describe(operation.arity)), not \(arguments.count)", at: here)
            }
            var nodes: [JSONLogicNode] = []
            for (argument, argumentPath) in zip(arguments, argumentPaths) {
                nodes.append(try compile(argument, path: argumentPath, depth: depth + 1))
            }
            if operation == .variable, case .literal(let path)? = nodes.first {
                return .variable(keys: JSONLogicOperator.keys(of: path), default: nodes.count > 1 ? nodes[1] : nil)
            }
            return .operation(operation, nodes)
        default:
            return .literal(json)
        }
    }

    private func checkDepth(_ depth: Int, _ path: String) throws(AutomationError) {
        guard depth < limits.depth else {
            throw AutomationError(.tooDeep, "a rule nests at most \(limits.depth) arrays and operations", at: path)
        }
    }

    private static func describe(_ arity: ClosedRange<Int>) -> String {
        let noun = { (count: Int) in count == 1 ? "1 argument" : "\(count) arguments" }
        if arity.upperBound == Int.max { return "at least \(noun(arity.lowerBound))" }
        if arity.lowerBound == arity.upperBound { return noun(arity.lowerBound) }
        return "\(arity.lowerBound) to \(noun(arity.upperBound))"
    }

    /// RFC 6901: `~` is written `~0` and `/` is written `~1`.
    private static func escapePointerToken(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
