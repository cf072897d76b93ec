/// The operators of JsonLogic (jsonlogic.com/operations.html) Canopy evaluates. `method`, which calls
/// JavaScript methods by name, has no meaning outside JavaScript and is not among them.
public enum JSONLogicOperator: String, Sendable, Hashable, CaseIterable {
    // Data
    case variable = "var", missing, missingSome = "missing_some"
    // Logic
    case `if`, ternary = "?:", and, or, not = "!", truthy = "!!"
    case looselyEqual = "==", strictlyEqual = "===", looselyUnequal = "!=", strictlyUnequal = "!=="
    // Numbers
    case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
    case min, max, add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    // Arrays
    case map, filter, reduce, all, none, some, merge, `in`
    // Strings
    case cat, substr
    // Debugging: answers its argument (Canopy logs nothing a rule hands it).
    case log

    /// How many arguments it takes. Where JavaScript would throw, or silently read a missing argument as
    /// `undefined` in a way no author means (`{"/": [4]}`), the rule is refused when written instead.
    var arity: ClosedRange<Int> {
        switch self {
        case .variable: 0...2
        case .missing, .if, .ternary, .cat, .merge, .add: 0...Int.max
        case .and, .or, .min, .max, .multiply: 1...Int.max
        case .not, .truthy, .log: 1...1
        case .looselyEqual, .strictlyEqual, .looselyUnequal, .strictlyUnequal, .greater, .greaterOrEqual: 2...2
        case .less, .lessOrEqual: 2...3
        case .subtract: 1...2
        case .divide, .remainder, .in, .missingSome: 2...2
        case .map, .filter, .all, .none, .some: 2...2
        case .reduce: 2...3
        case .substr: 2...3
        }
    }
}
