/// Why a part of an automation was refused when written (a condition, a schedule, a flow of steps), or a
/// condition stopped, or a step's report refused while a run goes on. Stable codes, as everywhere: clients
/// switch on them.
public struct AutomationError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        // Conditions (JsonLogic); `location` is a JSON Pointer into the rule.
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

        // Schedules; `location` is the cron field at fault, if one is.
        /// Not a five-field cron expression or one of its @ names.
        public static let invalidExpression = Code("schedule.invalid_expression")
        /// Not a time zone of the IANA database (`America/Sao_Paulo`, `UTC`).
        public static let unknownTimeZone = Code("schedule.unknown_time_zone")
        /// A valid expression no date matches (`0 0 30 2 *`: February 30th).
        public static let neverFires = Code("schedule.never_fires")

        // Flows of steps; `location` is the step at fault, if one is.
        public static let noSteps = Code("flow.no_steps")
        public static let tooManySteps = Code("flow.too_many_steps")
        /// A step id that is not lowercase letters, digits and underscores, starting with a letter.
        public static let invalidStepID = Code("flow.invalid_step_id")
        public static let duplicateStep = Code("flow.duplicate_step")
        /// A step depending on a step the flow does not have.
        public static let unknownDependency = Code("flow.unknown_dependency")
        /// Steps that depend on one another in a circle; the message names it.
        public static let cycle = Code("flow.cycle")
        /// A step reported started, finished or failed out of turn (its dependencies not done, already
        /// started, already finished, or no step of the flow).
        public static let stepOutOfTurn = Code("flow.step_out_of_turn")
    }

    public var code: Code
    public var message: String
    /// Where in what was written: a JSON Pointer into a condition (`/and/1/bogus`), a cron field
    /// (`minute`), a step id (`save`); nil for the whole.
    public var location: String?

    public init(_ code: Code, _ message: String, at location: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    public var description: String { location.map { "\(code) at \($0): \(message)" } ?? "\(code): \(message)" }
}
