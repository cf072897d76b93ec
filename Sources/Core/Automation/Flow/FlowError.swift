/// Why a flow of steps was refused when it was written, or a step's report refused while it ran. Stable
/// codes, as everywhere.
public struct FlowError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

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
    /// The step at fault, if one is.
    public var step: String?

    public init(_ code: Code, _ message: String, step: String? = nil) {
        self.code = code
        self.message = message
        self.step = step
    }

    public var description: String { step.map { "\(code) (\($0)): \(message)" } ?? "\(code): \(message)" }
}
