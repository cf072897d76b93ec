/// The five fields of a cron expression (minute, hour, day of month, month, day of week), as Vixie cron
/// reads them: lists, ranges, steps (`*/15`, `1-30/2`, `5/10` from 5 to the end), month and weekday names,
/// 7 for Sunday as well as 0, and `@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly`.
///
/// Day of month and day of week, when both are restricted, match a day that either matches (`0 9 13 * 5`:
/// every 13th and every Friday); when either starts with `*`, a day must match both.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let description: String
    private let minutes: FieldSet, hours: FieldSet, days: FieldSet, months: FieldSet, weekdays: FieldSet
    private let daysOrWeekdays: Bool
    /// Whether the hour field names hours (rather than starting with `*`): such a job runs at a time of day,
    /// so it runs once when clocks go back and is not skipped when they go forward.
    let namesHours: Bool

    static let maximumLength = 256

    public init(_ text: String) throws(AutomationError) {
        guard text.utf8.count <= Self.maximumLength else {
            throw AutomationError(.invalidExpression, "a cron expression has at most \(Self.maximumLength) bytes")
        }
        let fields = Self.expandingNickname(text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
        guard fields.count == 5 else {
            let hint = fields.count == 6 ? " (seconds are not supported; the finest step is a minute)" : ""
            throw AutomationError(.invalidExpression, "a cron expression has 5 fields: minute hour day-of-month month day-of-week, not \(fields.count)\(hint)")
        }
        minutes = try FieldSet(fields[0], .minute)
        hours = try FieldSet(fields[1], .hour)
        days = try FieldSet(fields[2], .dayOfMonth)
        months = try FieldSet(fields[3], .month)
        weekdays = try FieldSet(fields[4], .dayOfWeek)
        daysOrWeekdays = !fields[2].hasPrefix("*") && !fields[4].hasPrefix("*")
        namesHours = !fields[1].hasPrefix("*")
        description = text
    }

    private static func expandingNickname(_ fields: [String]) -> [String] {
        guard fields.count == 1, let nickname = fields.first, nickname.hasPrefix("@") else { return fields }
        let expanded: String? = switch nickname.lowercased() {
        case "@yearly", "@annually": "0 0 1 1 *"
        case "@monthly": "0 0 1 * *"
        case "@weekly": "0 0 * * 0"
        case "@daily", "@midnight": "0 0 * * *"
        case "@hourly": "0 * * * *"
        default: nil
        }
        return expanded.map { $0.split(separator: " ").map(String.init) } ?? fields
    }

    func matchesDay(_ time: CivilTime) -> Bool {
        guard months.contains(time.month) else { return false }
        let day = days.contains(time.day), weekday = weekdays.contains(time.weekday)
        return daysOrWeekdays ? day || weekday : day && weekday
    }

    /// The first wall-clock minute after `time` the expression matches, if one comes before `limit`.
    func firstMatch(after time: CivilTime, before limit: CivilTime) -> CivilTime? {
        var minute = time.minutesSinceEpoch + 1
        let end = limit.minutesSinceEpoch
        /// The first minute of the next day or hour.
        func start(ofNext unit: Int64) -> Int { Int((GregorianCalendar.floorDivision(Int64(minute), unit).0 + 1) * unit) }
        while minute < end {
            let candidate = CivilTime(minutesSinceEpoch: minute)
            if !months.contains(candidate.month) {
                let next = candidate.month == 12 ? (candidate.year + 1, 1) : (candidate.year, candidate.month + 1)
                minute = CivilTime(year: next.0, month: next.1, day: 1, hour: 0, minute: 0).minutesSinceEpoch
            } else if !matchesDay(candidate) {
                minute = start(ofNext: 1_440)
            } else if !hours.contains(candidate.hour) {
                minute = start(ofNext: 60)
            } else if let next = minutes.first(from: candidate.minute) {
                if next == candidate.minute { return candidate }
                minute += next - candidate.minute
            } else {
                minute = start(ofNext: 60)
            }
        }
        return nil
    }
}

/// One field's values, as bits.
private struct FieldSet: Hashable, Sendable {
    enum Field: String {
        case minute, hour, dayOfMonth = "day_of_month", month, dayOfWeek = "day_of_week"

        var range: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7  // 7 is Sunday too
            }
        }

        var names: [String] {
            switch self {
            case .month: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            case .dayOfWeek: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
            default: []
            }
        }
    }

    private var bits: UInt64 = 0

    init(_ text: String, _ field: Field) throws(AutomationError) {
        func refuse(_ reason: String) -> AutomationError {
            AutomationError(.invalidExpression, "\(field.rawValue) \"\(text)\": \(reason)", at: field.rawValue)
        }
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let rangeText = parts.first, !rangeText.isEmpty else { throw refuse("\"\(item)\" is not a value, range or step") }
            var step = 1
            if parts.count == 2 {
                guard let value = Int(parts[1]), value >= 1, value <= field.range.upperBound + 1 else {
                    throw refuse("a step is a whole number from 1 to \(field.range.upperBound + 1)")
                }
                step = value
            }
            let bounds: ClosedRange<Int>
            if rangeText == "*" {
                bounds = field == .dayOfWeek ? 0...6 : field.range
            } else {
                let ends = rangeText.split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2 else { throw refuse("\"\(rangeText)\" is not a value or a range") }
                guard let low = Self.value(ends[0], field) else { throw refuse("\"\(ends[0])\" is not a value from \(field.range.lowerBound) to \(field.range.upperBound)\(Self.namesHint(field))") }
                var high = parts.count == 2 && ends.count == 1 ? field.range.upperBound : low  // `5/10`: from 5 to the end
                if ends.count == 2 {
                    guard let value = Self.value(ends[1], field) else { throw refuse("\"\(ends[1])\" is not a value from \(field.range.lowerBound) to \(field.range.upperBound)\(Self.namesHint(field))") }
                    high = value
                }
                guard low <= high else { throw refuse("the range \(rangeText) runs backwards") }
                bounds = low...high
            }
            for value in stride(from: bounds.lowerBound, through: bounds.upperBound, by: step) {
                bits |= 1 << UInt64(field == .dayOfWeek && value == 7 ? 0 : value)
            }
        }
    }

    private static func value(_ text: Substring, _ field: Field) -> Int? {
        if text.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(text), field.range.contains(number) { return number }
        guard let index = field.names.firstIndex(of: text.lowercased()) else { return nil }
        return field == .month ? index + 1 : index
    }

    private static func namesHint(_ field: Field) -> String {
        guard let first = field.names.first, let last = field.names.last else { return "" }
        return " or a name (\(first.uppercased())–\(last.uppercased()))"
    }

    func contains(_ value: Int) -> Bool { bits & (1 << UInt64(value)) != 0 }

    /// The first value in the set from `value` on.
    func first(from value: Int) -> Int? {
        let rest = bits >> UInt64(value)
        return rest == 0 ? nil : value + rest.trailingZeroBitCount
    }
}
