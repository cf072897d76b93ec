/// Why a schedule was refused. Stable codes, as everywhere.
public struct ScheduleError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Not a five-field cron expression or one of its @ names; `field` says which part, if one.
        public static let invalidExpression = Code("schedule.invalid_expression")
        /// Not a time zone of the IANA database (`America/Sao_Paulo`, `UTC`).
        public static let unknownTimeZone = Code("schedule.unknown_time_zone")
        /// A valid expression no date matches (`0 0 30 2 *`: February 30th).
        public static let neverFires = Code("schedule.never_fires")
    }

    public var code: Code
    public var message: String
    /// The cron field at fault (`minute`, `hour`, `day_of_month`, `month`, `day_of_week`), if one is.
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { field.map { "\(code) (\($0)): \(message)" } ?? "\(code): \(message)" }
}
