/// One run of a checked rule over some data, within a budget of steps.
struct JSONLogicEvaluation {
    private var steps: Int

    init(steps: Int) { self.steps = steps }

    mutating func evaluate(_ node: JSONLogicNode, _ data: JSONValue) throws(AutomationError) -> JSONValue {
        try spend(1)
        switch node {
        case .literal(let value):
            return value
        case .array(let items):
            return .array(try evaluateAll(items, data))
        case .variable(let keys, let fallback):
            return JSONLogicOperator.variable(keys, default: try fallback.map { node throws(AutomationError) in try evaluate(node, data) }, in: data)
        case .operation(let operation, let arguments):
            if let answer = try evaluateLazily(operation, arguments, data) { return answer }
            let answer = operation.apply(to: try evaluateAll(arguments, data), data: data)
            switch (operation, answer) {  // what grows without bound is paid for by its size
            case (.merge, .array(let items)): try spend(items.count)
            case (.cat, .string(let text)): try spend(text.utf8.count)
            default: break
            }
            return answer
        }
    }

    private mutating func evaluateAll(_ nodes: [JSONLogicNode], _ data: JSONValue) throws(AutomationError) -> [JSONValue] {
        var values: [JSONValue] = []
        values.reserveCapacity(nodes.count)
        for node in nodes { values.append(try evaluate(node, data)) }
        return values
    }

    /// The operations that choose which arguments to evaluate, or evaluate one over each item of an array;
    /// nil for the others.
    private mutating func evaluateLazily(_ operation: JSONLogicOperator, _ arguments: [JSONLogicNode],
                                         _ data: JSONValue) throws(AutomationError) -> JSONValue? {
        switch operation {
        case .if, .ternary:
            var index = 0
            while index + 1 < arguments.count {
                if JavaScriptValues.isTruthy(try evaluate(arguments[index], data)) { return try evaluate(arguments[index + 1], data) }
                index += 2
            }
            return index < arguments.count ? try evaluate(arguments[index], data) : .null
        case .and, .or:
            var current = JSONValue.null
            for argument in arguments {
                current = try evaluate(argument, data)
                if JavaScriptValues.isTruthy(current) == (operation == .or) { return current }
            }
            return current
        case .filter, .none, .some:
            var kept: [JSONValue] = []
            if case .array(let items) = try evaluate(arguments[0], data) {
                for item in items where JavaScriptValues.isTruthy(try evaluate(arguments[1], item)) { kept.append(item) }
            }
            switch operation {
            case .none: return .bool(kept.isEmpty)
            case .some: return .bool(!kept.isEmpty)
            default: return .array(kept)
            }
        case .map:
            guard case .array(let items) = try evaluate(arguments[0], data) else { return .array([]) }
            var mapped: [JSONValue] = []
            for item in items { mapped.append(try evaluate(arguments[1], item)) }
            return .array(mapped)
        case .all:
            guard case .array(let items) = try evaluate(arguments[0], data), !items.isEmpty else { return .bool(false) }
            for item in items where !JavaScriptValues.isTruthy(try evaluate(arguments[1], item)) { return .bool(false) }
            return .bool(true)
        case .reduce:
            let items = try evaluate(arguments[0], data)
            var accumulator = arguments.count > 2 ? try evaluate(arguments[2], data) : .null
            guard case .array(let items) = items else { return accumulator }
            for item in items {
                accumulator = try evaluate(arguments[1], .object(["current": item, "accumulator": accumulator]))
            }
            return accumulator
        default:
            return nil
        }
    }

    private mutating func spend(_ count: Int) throws(AutomationError) {
        steps -= count
        guard steps >= 0 else {
            throw AutomationError(.budgetExhausted, "the condition took more steps than it may; it was stopped")
        }
    }
}
